UPDATE sbtest1 JOIN nope ON sbtest1.id = nope.id SET sbtest1.c = 'x' WHERE sbtest1.id = 1
