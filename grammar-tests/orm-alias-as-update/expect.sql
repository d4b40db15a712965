SELECT `login_count`, `status`, `created_at`, `id` FROM users AS u WHERE u.id = 4
-- phase2 0: SELECT `status`, `created_at`, `id` FROM `app`.`users` FORCE INDEX (`idx_status_created`) WHERE (`status`, `created_at`, `id`) IN ((?, ?, ?), (?, ?, ?)) -- params: 101, 102, 103, 3, 102, 103
