SELECT `login_count` FROM users WHERE id = 3
