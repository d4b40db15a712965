UPDATE `users` SET `users`.`name` = 'Bob', `users`.`updated_at` = '2024-05-05 05:05:05' WHERE `users`.`id` = 99
