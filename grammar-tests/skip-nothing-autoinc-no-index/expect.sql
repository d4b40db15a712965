SELECT `msg` FROM `app`.`legacy_log` FORCE INDEX (`msg_idx`) WHERE `msg` = 'x'
