UPDATE users AS u SET u.status = 3 WHERE u.id = 4
