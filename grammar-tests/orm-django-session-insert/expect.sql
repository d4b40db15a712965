SELECT `session_key` FROM `app`.`sessions` WHERE `session_key` = 'k1'
SELECT `expire_date` FROM `app`.`sessions` FORCE INDEX (`expire_idx`) WHERE `expire_date` = '2024-02-01 00:00:00' AND `session_key` = 'k1'
