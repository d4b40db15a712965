CREATE TABLE events (day date NOT NULL, at datetime(6) NOT NULL, id int NOT NULL, v int, PRIMARY KEY (day, at, id), KEY v_idx (v)) ENGINE=InnoDB;
