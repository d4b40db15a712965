SELECT a.`pad`, b.`pad` FROM sbtest1 a JOIN sbtest2 b ON a.id = b.id WHERE a.id = 10
