UPDATE `users` SET `name` = 'Ann', `updated_at` = '2024-01-02 03:04:05' WHERE `users`.`id` = 12
