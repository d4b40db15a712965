SELECT `id` FROM `app`.`sbtest1` WHERE `id` = 805260
SELECT `k` FROM `app`.`sbtest1` FORCE INDEX (`k_1`) WHERE `k` = 134237 AND `id` = 805260
