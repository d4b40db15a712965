INSERT INTO users (email, name, created_at) VALUES ('q\\r@x.io', 'n', '2024-01-01')
