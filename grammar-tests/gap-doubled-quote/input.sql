UPDATE users SET name = 'O''Brien' WHERE id = 8
