INSERT INTO users (id, email, name, created_at) VALUES (5, 'e@x.io', 'E', '2024-01-01') ON DUPLICATE KEY UPDATE name = VALUES(name)
