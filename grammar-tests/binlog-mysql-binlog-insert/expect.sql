SELECT `id` FROM `app`.`sbtest1` WHERE `id` = 17
SELECT `k` FROM `app`.`sbtest1` FORCE INDEX (`k_1`) WHERE `k` = 3 AND `id` = 17
