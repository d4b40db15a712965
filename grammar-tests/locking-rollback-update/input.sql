UPDATE sbtest1 SET k=k+1 WHERE id=5
