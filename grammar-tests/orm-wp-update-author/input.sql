UPDATE `wp_posts` SET `post_author` = 3 WHERE `ID` = 15
