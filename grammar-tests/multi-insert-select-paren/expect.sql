SELECT * FROM sbtest1 WHERE id = 3
