SELECT `desc`, `select`, `key` FROM `order` WHERE `select` = 3
-- phase2 0: SELECT `select`, `key` FROM `app`.`order` FORCE INDEX (`select_idx`) WHERE `select` = ? AND `key` = ? -- params: 101, 102
