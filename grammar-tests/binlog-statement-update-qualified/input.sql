UPDATE `app`.`sbtest1` SET `c` = 'abc' WHERE `id` = 17
