SELECT `code` FROM `app`.`u` FORCE INDEX (`code`) WHERE `code` = 'a'
SELECT `v` FROM `app`.`u` FORCE INDEX (`v_idx`) WHERE `v` = 1
