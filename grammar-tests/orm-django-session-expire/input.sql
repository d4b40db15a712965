DELETE FROM `sessions` WHERE `sessions`.`expire_date` < '2024-01-01 00:00:00'
