UPDATE (SELECT id FROM sbtest1) x SET x.id = 4
