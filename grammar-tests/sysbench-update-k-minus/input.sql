UPDATE sbtest1 SET k=k-3 WHERE id=10
