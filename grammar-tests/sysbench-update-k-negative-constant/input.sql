UPDATE sbtest1 SET k=-5 WHERE id=10
