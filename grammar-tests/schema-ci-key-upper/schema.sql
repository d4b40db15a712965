CREATE TABLE ci (code varchar(20) COLLATE utf8mb4_general_ci NOT NULL, n int, PRIMARY KEY (code)) ENGINE=InnoDB;
