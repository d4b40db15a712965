UPDATE sbtest1 SET c='x' WHERE id IN (5, 6, 7)
