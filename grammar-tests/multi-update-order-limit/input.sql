UPDATE users SET status = 1 WHERE status = 0 ORDER BY created_at LIMIT 10
