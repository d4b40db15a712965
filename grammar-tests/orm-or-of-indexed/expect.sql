SELECT `login_count` FROM users WHERE id = 1 OR email = 'a@b.c'
