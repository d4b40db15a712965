INSERT INTO sbtest1 (id, k, c, pad) VALUES (5, 6, 'c', 'p'), (7, 8, 'c', 'p')
