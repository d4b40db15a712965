UPDATE users SET status = 1 WHERE id IN (SELECT post_author FROM wp_posts WHERE ID = 3)
