UPDATE sbtest1, (SELECT id, k FROM sbtest2 WHERE id IN (1, 2)) AS s SET sbtest1.k = s.k WHERE sbtest1.id = s.id
