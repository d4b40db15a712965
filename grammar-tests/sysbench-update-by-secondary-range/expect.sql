SELECT `pad` FROM sbtest1 WHERE k > 55 AND k < 60
