INSERT INTO sbtest1 (id, nope) VALUES (1, 2)
