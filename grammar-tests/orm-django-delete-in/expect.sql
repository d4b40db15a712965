SELECT `login_count`, `email`, `status`, `created_at`, `id` FROM `users` WHERE `users`.`id` IN (1, 2, 3, 4)
-- phase2 0: SELECT `email` FROM `app`.`users` FORCE INDEX (`uniq_email`) WHERE `email` = ? -- params: 101
-- phase2 0: SELECT `status`, `created_at`, `id` FROM `app`.`users` FORCE INDEX (`idx_status_created`) WHERE `status` = ? AND `created_at` = ? AND `id` = ? -- params: 102, 103, 104
