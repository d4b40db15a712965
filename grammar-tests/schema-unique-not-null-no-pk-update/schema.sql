CREATE TABLE u (code varchar(20) NOT NULL, v int, note varchar(50), UNIQUE KEY code (code), KEY v_idx (v)) ENGINE=InnoDB;
