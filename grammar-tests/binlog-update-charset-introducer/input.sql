UPDATE users SET name = _latin1'x' WHERE id = 3
