SELECT `pad` FROM sbtest1 WHERE id IN (5, 6, 7)
