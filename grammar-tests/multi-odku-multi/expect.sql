SELECT `id` FROM `app`.`sbtest1` WHERE `id` IN (1, 3)
SELECT `k` FROM `app`.`sbtest1` FORCE INDEX (`k_1`) WHERE (`k`, `id`) IN ((2, 1), (4, 3))
