UPDATE `users` SET `status` = 2 WHERE `users`.`id` = 5
