SELECT `id` FROM `app`.`sbtest1` WHERE `id` = 294937
SELECT `k` FROM `app`.`sbtest1` FORCE INDEX (`k_1`) WHERE `k` = 449718 AND `id` = 294937
