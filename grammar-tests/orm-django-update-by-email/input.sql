UPDATE `users` SET `login_count` = `login_count` + 1 WHERE `users`.`email` = 'a@example.com'
