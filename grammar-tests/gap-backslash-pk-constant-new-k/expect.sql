SELECT `user_id`, `expire_date`, `session_key` FROM sessions WHERE session_key = 'a\'b'
-- phase2 0: SELECT `expire_date`, `session_key` FROM `app`.`sessions` FORCE INDEX (`expire_idx`) WHERE `expire_date` = ? AND `session_key` = ? -- params: 101, 102
SELECT `expire_date` FROM `app`.`sessions` FORCE INDEX (`expire_idx`) WHERE `expire_date` = '2024-01-01' LIMIT 1
