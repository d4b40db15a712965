UPDATE sbtest1, sbtest2 SET sbtest1.c = 'x'
