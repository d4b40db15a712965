UPDATE `wp_posts` SET `comment_count` = COALESCE(`comment_count`, 0) + 1 WHERE `wp_posts`.`ID` = 7
