UPDATE g SET a = 5 WHERE id = 1
