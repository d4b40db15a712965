UPDATE `users` SET `email` = 'new@example.com' WHERE `users`.`id` = 5
