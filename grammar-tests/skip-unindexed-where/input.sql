UPDATE sbtest1 SET k = 1 WHERE c = 'x'
