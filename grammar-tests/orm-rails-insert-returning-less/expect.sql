SELECT `email` FROM `app`.`users` FORCE INDEX (`uniq_email`) WHERE `email` = 'r@x.io'
