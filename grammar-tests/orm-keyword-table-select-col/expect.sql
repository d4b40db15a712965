SELECT `desc`, `select`, `key` FROM `order` WHERE `key` = 1
-- phase2 0: SELECT `select`, `key` FROM `app`.`order` FORCE INDEX (`select_idx`) WHERE `select` = ? AND `key` = ? -- params: 101, 102
SELECT `select` FROM `app`.`order` FORCE INDEX (`select_idx`) WHERE `select` = 2 AND `key` = 1 LIMIT 1
