SELECT `login_count`, `status`, `created_at`, `id` FROM users WHERE email = 'a\'b@x.io'
-- phase2 0: SELECT `status`, `created_at`, `id` FROM `app`.`users` FORCE INDEX (`idx_status_created`) WHERE (`status`, `created_at`, `id`) IN ((?, ?, ?), (?, ?, ?)) -- params: 101, 102, 103, 1, 102, 103
