UPDATE `app`.`users` SET `login_count` = `app`.`users`.`login_count` + 1 WHERE `app`.`users`.`id` = 12
