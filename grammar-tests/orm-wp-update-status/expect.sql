SELECT `comment_count`, `post_type`, `post_status`, `post_date`, `ID` FROM `wp_posts` WHERE `ID` = 15
-- phase2 0: SELECT `post_type`, `post_status`, `post_date`, `ID` FROM `app`.`wp_posts` FORCE INDEX (`type_status_date`) WHERE (`post_type`, `post_status`, `post_date`, `ID`) IN ((?, ?, ?, ?), (?, ?, ?, ?)) -- params: 101, 102, 103, 104, 101, 'trash', 103, 104
