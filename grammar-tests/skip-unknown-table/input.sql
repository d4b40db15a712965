UPDATE nope SET c = 'x' WHERE id = 5
