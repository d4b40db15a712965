SELECT `login_count` FROM `users` WHERE `users`.`id` IN (99, 100)
