SELECT `id` FROM `app`.`users` WHERE `id` = 5
SELECT `login_count` FROM `app`.`users` FORCE INDEX (`uniq_email`) WHERE `email` = 'e@x.io'
