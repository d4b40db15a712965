DELETE FROM users WHERE id = 5 OR bio = 'x'
