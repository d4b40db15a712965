UPDATE sbtest1 SET c = 'x' WHERE id IN (SELECT id FROM sbtest2 WHERE id = 5 FOR UPDATE)
