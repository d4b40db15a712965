UPDATE sbtest1 SET id = id + 1000 WHERE id = 5
