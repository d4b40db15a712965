SELECT `pad`, `k`, `id` FROM sbtest1 WHERE id = 241026
-- phase2 0: SELECT `k`, `id` FROM `app`.`sbtest1` FORCE INDEX (`k_1`) WHERE `k` = ? AND `id` = ? -- params: 101, 102
