REPLACE INTO users SET id = 6, email = 'f@x.io', name = 'F', created_at = '2024-01-01'
