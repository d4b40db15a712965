SELECT sbtest1.`pad` FROM sbtest1 CROSS JOIN sbtest2 WHERE sbtest1.id = sbtest2.id AND sbtest2.id = 5
