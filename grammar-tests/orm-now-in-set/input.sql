UPDATE users SET updated_at = NOW() WHERE id = 3
