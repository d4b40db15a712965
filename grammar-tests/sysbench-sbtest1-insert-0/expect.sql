SELECT `id` FROM `app`.`sbtest1` WHERE `id` = 597396
SELECT `k` FROM `app`.`sbtest1` FORCE INDEX (`k_1`) WHERE `k` = 313709 AND `id` = 597396
