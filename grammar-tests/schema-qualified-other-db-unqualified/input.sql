UPDATE q SET v = 1 WHERE id = 1
