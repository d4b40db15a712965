SELECT `login_count` FROM `app`.`users` FORCE INDEX (`uniq_email`) WHERE `email` = 'e@x.io'
