SELECT u.`login_count` FROM users u LEFT JOIN wp_posts p ON p.post_author = u.id WHERE u.id = 4
