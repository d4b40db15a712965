INSERT INTO sbtest1 (k, c, pad) VALUES (6, 'c', 'p')
