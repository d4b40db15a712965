SELECT `login_count`, `status`, `created_at`, `id` FROM users WHERE id = 4
-- phase2 0: SELECT `status`, `created_at`, `id` FROM `app`.`users` FORCE INDEX (`idx_status_created`) WHERE `status` = ? AND `created_at` = ? AND `id` = ? -- params: 101, 102, 103
