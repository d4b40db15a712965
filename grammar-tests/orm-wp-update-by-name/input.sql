UPDATE `wp_posts` SET `comment_count` = 3 WHERE `post_name` = 'hello-world'
