SELECT `pad`, `k`, `id` FROM sbtest1 WHERE id = 10
-- phase2 0: SELECT `k`, `id` FROM `app`.`sbtest1` FORCE INDEX (`k_1`) WHERE `k` = ? AND `id` = ? -- params: 101, 102
SELECT `k` FROM `app`.`sbtest1` FORCE INDEX (`k_1`) WHERE `k` = 500 AND `id` = 10 LIMIT 1
