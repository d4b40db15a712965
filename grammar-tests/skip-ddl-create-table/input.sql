CREATE TABLE t2 (a int)
