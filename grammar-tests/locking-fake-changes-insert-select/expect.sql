INSERT INTO sbtest2 (id, k, c, pad) SELECT id, k, c, pad FROM sbtest1 WHERE id = 5
