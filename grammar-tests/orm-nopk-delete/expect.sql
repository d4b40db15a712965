SELECT `b` FROM nopk WHERE a = 3
