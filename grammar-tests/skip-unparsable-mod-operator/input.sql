UPDATE sbtest1 SET k = k mod 2 WHERE id = 5
