UPDATE users SET status = 1 WHERE email = 'a\'b@x.io'
