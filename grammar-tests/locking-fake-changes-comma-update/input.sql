UPDATE sbtest1, sbtest2 SET sbtest1.c = 'x' WHERE sbtest1.id = sbtest2.id AND sbtest2.id = 5
