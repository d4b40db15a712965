SELECT `a`, `b`, `id` FROM g WHERE id = 1
-- phase2 0: SELECT `b`, `id` FROM `app`.`g` FORCE INDEX (`b_idx`) WHERE `b` = ? AND `id` = ? -- params: 101, 102
