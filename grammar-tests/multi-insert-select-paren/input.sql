INSERT INTO sbtest2 (SELECT * FROM sbtest1 WHERE id = 3)
