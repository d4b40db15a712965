SELECT `pad` FROM sbtest1 WHERE id = 5
