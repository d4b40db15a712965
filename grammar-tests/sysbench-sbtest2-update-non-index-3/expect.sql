SELECT `pad` FROM sbtest2 WHERE id = 3449
