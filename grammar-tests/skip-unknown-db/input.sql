UPDATE nodb.sbtest1 SET c = 'x' WHERE id = 5
