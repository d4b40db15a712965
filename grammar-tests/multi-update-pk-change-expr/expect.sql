SELECT `pad`, `k`, `id` FROM sbtest1 WHERE id = 5
-- phase2 0: SELECT `k`, `id` FROM `app`.`sbtest1` FORCE INDEX (`k_1`) WHERE (`k`, `id`) IN ((?, ?), (?, ?)) -- params: 101, 102, 101, 1102
