SELECT `id` FROM `app`.`sbtest1` WHERE `id` IN (1, 2, 3)
SELECT `k` FROM `app`.`sbtest1` FORCE INDEX (`k_1`) WHERE (`k`, `id`) IN ((10, 1), (20, 2), (30, 3))
