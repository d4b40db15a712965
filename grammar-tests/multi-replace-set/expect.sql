SELECT `id` FROM `app`.`users` WHERE `id` = 6
SELECT `login_count` FROM `app`.`users` FORCE INDEX (`uniq_email`) WHERE `email` = 'f@x.io'
