UPDATE sbtest1 SET c = 'x' WHERE id + 1 = 5
