SELECT `id` FROM `app`.`sbtest1` WHERE `id` = 42
SELECT `k` FROM `app`.`sbtest1` FORCE INDEX (`k_1`) WHERE `k` = 43 AND `id` = 42
