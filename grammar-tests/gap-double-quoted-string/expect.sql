SELECT `login_count` FROM users WHERE email = "d@x.io"
