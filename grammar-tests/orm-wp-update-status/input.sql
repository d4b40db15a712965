UPDATE `wp_posts` SET `post_status` = 'trash' WHERE `ID` = 15
