SELECT `comment_count` FROM `wp_posts` WHERE `wp_posts`.`ID` = 7
