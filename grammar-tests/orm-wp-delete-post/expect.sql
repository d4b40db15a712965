SELECT `comment_count`, `post_name`, `ID`, `post_type`, `post_status`, `post_date`, `post_author` FROM `wp_posts` WHERE `ID` = 15
-- phase2 0: SELECT `post_name`, `ID` FROM `app`.`wp_posts` FORCE INDEX (`post_name`) WHERE `post_name` = ? AND `ID` = ? -- params: 101, 102
-- phase2 0: SELECT `post_type`, `post_status`, `post_date`, `ID` FROM `app`.`wp_posts` FORCE INDEX (`type_status_date`) WHERE `post_type` = ? AND `post_status` = ? AND `post_date` = ? AND `ID` = ? -- params: 103, 104, 105, 102
-- phase2 0: SELECT `post_author`, `ID` FROM `app`.`wp_posts` FORCE INDEX (`post_author`) WHERE `post_author` = ? AND `ID` = ? -- params: 106, 102
