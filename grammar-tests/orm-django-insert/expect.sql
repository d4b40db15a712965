SELECT `email` FROM `app`.`users` FORCE INDEX (`uniq_email`) WHERE `email` = 'a@example.com'
SELECT `status`, `created_at` FROM `app`.`users` FORCE INDEX (`idx_status_created`) WHERE `status` = 0 AND `created_at` = '2024-01-01 00:00:00'
