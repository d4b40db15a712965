SELECT `pad` FROM sbtest2 WHERE id = 499956
