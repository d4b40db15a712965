INSERT INTO sessions (session_key, expire_date) VALUES (UUID(), '2024-01-01')
