UPDATE users u SET u.name = 'x' WHERE u.id = 4
