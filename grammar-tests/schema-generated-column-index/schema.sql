CREATE TABLE g (id int NOT NULL PRIMARY KEY, a int, b int AS (a * 2) VIRTUAL, c varchar(10), KEY b_idx (b), KEY c_idx (c)) ENGINE=InnoDB;
