UPDATE users SET status = 1 WHERE email LIKE '%@x.io'
