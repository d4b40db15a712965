UPDATE sbtest1 SET c='x' WHERE k=55
