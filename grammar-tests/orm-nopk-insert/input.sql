INSERT INTO nopk (a, b, c) VALUES (1, 2, 'x')
