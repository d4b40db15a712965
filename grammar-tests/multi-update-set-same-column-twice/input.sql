UPDATE sbtest1 SET k = 1, k = k + 1 WHERE id = 5
