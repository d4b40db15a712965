DELETE FROM `sessions` WHERE `sessions`.`session_key` = 'abcdef0123456789abcdef0123456789abcdef01'
