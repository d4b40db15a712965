SELECT `pad`, `k`, `id` FROM sbtest2 WHERE id = 3449
-- phase2 0: SELECT `k`, `id` FROM `app`.`sbtest2` FORCE INDEX (`k_2`) WHERE (`k`, `id`) IN ((?, ?), (?, ?)) -- params: 101, 102, 102, 102
