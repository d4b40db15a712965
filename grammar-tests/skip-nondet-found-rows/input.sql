UPDATE users SET status = FOUND_ROWS() WHERE id = 5
