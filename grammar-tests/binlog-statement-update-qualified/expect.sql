SELECT `pad` FROM `app`.`sbtest1` WHERE `id` = 17
