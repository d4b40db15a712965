DELETE FROM `wp_posts` WHERE `ID` = 15
