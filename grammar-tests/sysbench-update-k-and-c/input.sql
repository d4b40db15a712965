UPDATE sbtest1 SET k=k+1, c='x' WHERE id=10
