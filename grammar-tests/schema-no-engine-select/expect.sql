SELECT `id`, `v` FROM ne WHERE id = 1
-- phase2 0: SELECT `v`, `id` FROM `app`.`ne` FORCE INDEX (`v_idx`) WHERE `v` = ? AND `id` = ? -- params: 101, 100
SELECT `v` FROM `app`.`ne` FORCE INDEX (`v_idx`) WHERE `v` = 1 AND `id` = 1 LIMIT 1
