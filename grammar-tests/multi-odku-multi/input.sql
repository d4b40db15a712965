INSERT INTO sbtest1 (id, k, c, pad) VALUES (1, 2, 'c', 'p'), (3, 4, 'c', 'p') ON DUPLICATE KEY UPDATE k = k + 1
