SELECT `a`, `b`, `id`, `c` FROM g WHERE id = 1
-- phase2 0: SELECT `b`, `id` FROM `app`.`g` FORCE INDEX (`b_idx`) WHERE `b` = ? AND `id` = ? -- params: 101, 102
-- phase2 0: SELECT `c`, `id` FROM `app`.`g` FORCE INDEX (`c_idx`) WHERE `c` = ? AND `id` = ? -- params: 103, 102
