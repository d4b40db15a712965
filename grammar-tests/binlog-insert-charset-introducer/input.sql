INSERT INTO sessions (session_key, expire_date) VALUES (_utf8mb4'k2' COLLATE utf8mb4_bin, '2024-01-01')
