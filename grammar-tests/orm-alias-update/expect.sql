SELECT `login_count` FROM users u WHERE u.id = 4
