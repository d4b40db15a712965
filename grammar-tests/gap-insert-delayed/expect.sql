SELECT `id` FROM `app`.`sbtest1` WHERE `id` = 5
SELECT `k` FROM `app`.`sbtest1` FORCE INDEX (`k_1`) WHERE `k` = 6 AND `id` = 5
