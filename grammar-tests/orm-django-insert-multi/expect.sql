SELECT `email` FROM `app`.`users` FORCE INDEX (`uniq_email`) WHERE `email` IN ('a@x.io', 'b@x.io')
SELECT `status`, `created_at` FROM `app`.`users` FORCE INDEX (`idx_status_created`) WHERE (`status`, `created_at`) IN ((1, '2024-01-01'), (1, '2024-01-01'))
