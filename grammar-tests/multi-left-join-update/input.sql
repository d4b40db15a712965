UPDATE users u LEFT JOIN wp_posts p ON p.post_author = u.id SET u.status = 0 WHERE u.id = 4
