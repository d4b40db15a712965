UPDATE ne SET v = 1 WHERE id = 1
