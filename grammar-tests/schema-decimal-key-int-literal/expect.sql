SELECT `n`, `m`, `id` FROM d WHERE id = 2
-- phase2 0: SELECT `m`, `id` FROM `app`.`d` FORCE INDEX (`m_idx`) WHERE `m` = ? AND `id` = ? -- params: 101, 102
