CREATE TEMPORARY TABLE tmp2 (id int)
UPDATE sbtest1 JOIN tmp2 ON sbtest1.id = tmp2.id SET sbtest1.k = 1 WHERE sbtest1.id = 3
