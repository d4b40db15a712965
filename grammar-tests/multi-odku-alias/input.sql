INSERT INTO users (email, name, created_at) VALUES ('e@x.io', 'E', '2024-01-01') ON DUPLICATE KEY UPDATE login_count = login_count + 1
