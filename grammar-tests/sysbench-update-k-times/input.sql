UPDATE sbtest1 SET k=k*2 WHERE id=10
