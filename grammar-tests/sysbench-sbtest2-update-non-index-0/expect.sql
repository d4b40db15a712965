SELECT `pad` FROM sbtest2 WHERE id = 5258
