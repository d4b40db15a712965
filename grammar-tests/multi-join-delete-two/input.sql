DELETE a, b FROM sbtest1 a JOIN sbtest2 b ON a.id = b.id WHERE a.id = 5
