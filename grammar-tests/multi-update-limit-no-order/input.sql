UPDATE users SET status = 1 WHERE status = 0 LIMIT 10
