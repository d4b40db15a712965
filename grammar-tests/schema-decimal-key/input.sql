UPDATE d SET m = m + 1 WHERE id = 1.50
