SELECT `n`, `m`, `id` FROM d WHERE id = 1.50
-- phase2 0: SELECT `m`, `id` FROM `app`.`d` FORCE INDEX (`m_idx`) WHERE (`m`, `id`) IN ((?, ?), (?, ?)) -- params: 101, 102, 102, 102
