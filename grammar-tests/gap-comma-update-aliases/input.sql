UPDATE sbtest1 a, sbtest2 b SET a.c = b.c WHERE a.id = b.id AND b.k = 5
