SELECT a.`pad` FROM sbtest1 a CROSS JOIN sbtest2 b WHERE a.id = b.id AND b.k = 5
