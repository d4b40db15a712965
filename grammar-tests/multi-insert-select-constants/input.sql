INSERT INTO sbtest2 (id, k) SELECT 5, 6
