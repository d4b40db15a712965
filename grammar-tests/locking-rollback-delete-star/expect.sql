DELETE sbtest1.* FROM sbtest1 JOIN sbtest2 ON sbtest1.id = sbtest2.id WHERE sbtest2.id = 5
