UPDATE sbtest1 SET k = FLOOR(RAND() * 100) WHERE id = 5
