SELECT `pad`, `k`, `id` FROM sbtest2 WHERE id = 282403
-- phase2 0: SELECT `k`, `id` FROM `app`.`sbtest2` FORCE INDEX (`k_2`) WHERE `k` = ? AND `id` = ? -- params: 101, 102
