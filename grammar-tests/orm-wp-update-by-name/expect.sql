SELECT `comment_count` FROM `wp_posts` WHERE `post_name` = 'hello-world'
