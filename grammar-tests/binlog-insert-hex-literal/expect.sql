SELECT `session_key` FROM `app`.`sessions` WHERE `session_key` = 0x6162
SELECT `expire_date` FROM `app`.`sessions` FORCE INDEX (`expire_idx`) WHERE `expire_date` = '2024-01-01' AND `session_key` = 0x6162
