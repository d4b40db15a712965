DELETE FROM `app`.`sbtest1` WHERE `id` = 17
