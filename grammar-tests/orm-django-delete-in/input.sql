DELETE FROM `users` WHERE `users`.`id` IN (1, 2, 3, 4)
