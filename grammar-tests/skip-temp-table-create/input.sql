CREATE TEMPORARY TABLE tmp1 (id int primary key)
