INSERT INTO sbtest2 SELECT * FROM sbtest1 WHERE c = 'x'
