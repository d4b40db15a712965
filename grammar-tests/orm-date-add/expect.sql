SELECT `user_id`, `expire_date`, `session_key` FROM sessions WHERE expire_date < DATE_SUB('2024-01-01', INTERVAL 7 DAY)
-- phase2 0: SELECT `expire_date`, `session_key` FROM `app`.`sessions` FORCE INDEX (`expire_idx`) WHERE `expire_date` = ? AND `session_key` = ? -- params: 101, 102
