INSERT INTO sbtest1 (id, k, c, pad) VALUES (1, 10, 'a', 'b'), (2, 10, 'a', 'b')
