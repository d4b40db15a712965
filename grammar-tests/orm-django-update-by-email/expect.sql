SELECT `login_count` FROM `users` WHERE `users`.`email` = 'a@example.com'
