SELECT `login_count` FROM `users` WHERE `users`.`id` = 12
