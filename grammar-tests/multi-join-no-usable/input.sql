UPDATE sbtest1 JOIN sbtest2 ON sbtest1.id = sbtest2.id SET sbtest1.c = 'x' WHERE sbtest2.c = 'y'
