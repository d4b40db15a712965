UPDATE sbtest1 SET c = 'x''; DELETE FROM sbtest1; --' WHERE id = 5
