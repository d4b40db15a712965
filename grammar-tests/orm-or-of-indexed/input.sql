UPDATE users SET name = 'x' WHERE id = 1 OR email = 'a@b.c'
