UPDATE sbtest1 SET c='it\'s a \\ test' WHERE id=5
