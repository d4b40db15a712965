UPDATE `wp_posts` SET `post_status` = 'publish' WHERE `post_type` = 'post' AND `post_status` = 'future' AND `post_date` <= '2024-01-01'
