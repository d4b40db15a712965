SELECT `sbtest1`.`pad` FROM `sbtest1` JOIN `sbtest2` ON `sbtest1`.`id` = `sbtest2`.`id` WHERE `sbtest2`.`k` = 5
