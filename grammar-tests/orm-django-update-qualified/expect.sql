SELECT `login_count` FROM `app`.`users` WHERE `app`.`users`.`id` = 12
