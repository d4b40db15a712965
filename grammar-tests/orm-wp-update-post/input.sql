UPDATE `wp_posts` SET `post_title` = 'Hello', `post_content` = 'World', `post_name` = 'hello' WHERE `ID` = 15
