SELECT `email` FROM `app`.`users` FORCE INDEX (`uniq_email`) WHERE `email` = 'z@z.z'
