CREATE TABLE bin (code varbinary(20) NOT NULL, n int, PRIMARY KEY (code)) ENGINE=InnoDB;
