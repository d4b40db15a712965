UPDATE sbtest1 JOIN sbtest2 ON sbtest1.id = sbtest2.id SET sbtest1.k = sbtest2.k WHERE sbtest2.id = 10
