UPDATE sbtest1 a JOIN sbtest2 b ON a.id = b.id SET a.c = 'x', b.c = 'y' WHERE a.id = 10
