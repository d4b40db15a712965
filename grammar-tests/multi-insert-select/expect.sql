SELECT id, k, c, pad FROM sbtest1 WHERE id BETWEEN 1 AND 100
