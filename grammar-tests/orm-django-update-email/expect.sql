SELECT `login_count`, `email`, `id` FROM `users` WHERE `users`.`id` = 5
-- phase2 0: SELECT `email` FROM `app`.`users` FORCE INDEX (`uniq_email`) WHERE `email` = ? -- params: 101
SELECT `email` FROM `app`.`users` FORCE INDEX (`uniq_email`) WHERE `email` = 'new@example.com' LIMIT 1
