UPDATE users SET name = "double" WHERE email = "d@x.io"
