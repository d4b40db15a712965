SELECT `login_count` FROM users WHERE status IS NULL
