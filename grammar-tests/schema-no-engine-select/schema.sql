CREATE TABLE ne (id int NOT NULL PRIMARY KEY, v int, KEY v_idx (v));
