UPDATE sbtest1 SET c='a\'b' WHERE id=5
