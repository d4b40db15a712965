UPDATE sbtest1 SET id = 999 WHERE id = 5
