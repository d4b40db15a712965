UPDATE users SET name = 'x' WHERE id = 1 OR name = 'y'
