SELECT `expire_date` FROM `app`.`sessions` FORCE INDEX (`expire_idx`) WHERE `expire_date` = '2024-01-01'
