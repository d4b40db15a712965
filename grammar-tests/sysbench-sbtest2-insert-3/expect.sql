SELECT `id` FROM `app`.`sbtest2` WHERE `id` = 3449
SELECT `k` FROM `app`.`sbtest2` FORCE INDEX (`k_2`) WHERE `k` = 3104 AND `id` = 3449
