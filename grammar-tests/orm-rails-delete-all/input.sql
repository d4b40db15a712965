DELETE FROM `users` WHERE `users`.`status` = 9
