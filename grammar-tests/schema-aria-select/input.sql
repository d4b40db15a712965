UPDATE ar SET v = 1 WHERE id = 1
