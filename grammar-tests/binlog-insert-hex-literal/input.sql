INSERT INTO sessions (session_key, expire_date) VALUES (0x6162, '2024-01-01')
