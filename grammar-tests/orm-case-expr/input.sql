UPDATE users SET status = CASE WHEN login_count > 10 THEN 2 ELSE 1 END WHERE id = 4
