CREATE TEMPORARY TABLE tmp1 (id int primary key)
UPDATE tmp1 SET id = 2 WHERE id = 1
