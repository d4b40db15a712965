UPDATE nopk SET c = 'x' WHERE a = 3
