UPDATE sbtest1 SET nope = 'x' WHERE id = 5
