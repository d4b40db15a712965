UPDATE g SET c = 'x' WHERE id = 1
