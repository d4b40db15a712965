SELECT `id` FROM `app`.`sbtest2` WHERE `id` = 499956
SELECT `k` FROM `app`.`sbtest2` FORCE INDEX (`k_2`) WHERE `k` = 545213 AND `id` = 499956
