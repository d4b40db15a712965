CREATE TEMPORARY TABLE tmp4 (id int)
INSERT INTO sbtest1 (id, k) SELECT id, 1 FROM tmp4 WHERE id = 1
