UPDATE users SET updated_at = SYSDATE() WHERE id = 5
