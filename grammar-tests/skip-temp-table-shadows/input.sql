CREATE TEMPORARY TABLE sbtest1 (id int primary key)
UPDATE sbtest1 SET k = k + 1 WHERE id = 1
