INSERT INTO users (id, email, created_at) VALUES (5, 'a@b', '2024-01-01')
