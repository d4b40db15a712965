SELECT `pad` FROM sbtest1 WHERE k = 55
