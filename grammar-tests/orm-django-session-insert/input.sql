INSERT INTO `sessions` (`session_key`, `session_data`, `expire_date`) VALUES ('k1', 'data', '2024-02-01 00:00:00')
