UPDATE `users` SET `updated_at` = '2024-05-05 05:05:05' WHERE `users`.`id` IN (99, 100)
