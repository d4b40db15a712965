SELECT `comment_count`, `post_author`, `ID` FROM `wp_posts` WHERE `ID` = 15
-- phase2 0: SELECT `post_author`, `ID` FROM `app`.`wp_posts` FORCE INDEX (`post_author`) WHERE `post_author` = ? AND `ID` = ? -- params: 101, 102
SELECT `post_author` FROM `app`.`wp_posts` FORCE INDEX (`post_author`) WHERE `post_author` = 3 AND `ID` = 15 LIMIT 1
