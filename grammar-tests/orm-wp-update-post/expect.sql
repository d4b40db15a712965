SELECT `comment_count`, `post_name`, `ID` FROM `wp_posts` WHERE `ID` = 15
-- phase2 0: SELECT `post_name`, `ID` FROM `app`.`wp_posts` FORCE INDEX (`post_name`) WHERE `post_name` = ? AND `ID` = ? -- params: 101, 102
SELECT `post_name` FROM `app`.`wp_posts` FORCE INDEX (`post_name`) WHERE `post_name` = 'hello' AND `ID` = 15 LIMIT 1
