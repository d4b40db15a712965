SELECT `a` FROM `app`.`nopk` FORCE INDEX (`a_idx`) WHERE `a` = 1
