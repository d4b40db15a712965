INSERT INTO sbtest1 VALUES (1, 2, 'c')
