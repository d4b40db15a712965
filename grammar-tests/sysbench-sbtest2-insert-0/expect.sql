SELECT `id` FROM `app`.`sbtest2` WHERE `id` = 5258
SELECT `k` FROM `app`.`sbtest2` FORCE INDEX (`k_2`) WHERE `k` = 589653 AND `id` = 5258
