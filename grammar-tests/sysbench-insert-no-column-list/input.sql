INSERT INTO sbtest1 VALUES (42, 43, 'c', 'pad')
