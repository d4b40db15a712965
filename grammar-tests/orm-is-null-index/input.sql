UPDATE users SET name = 'x' WHERE status IS NULL
