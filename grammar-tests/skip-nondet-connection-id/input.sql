UPDATE users SET status = CONNECTION_ID() WHERE id = 5
