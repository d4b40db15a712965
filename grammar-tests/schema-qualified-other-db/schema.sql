CREATE TABLE other.q (id bigint unsigned NOT NULL PRIMARY KEY, v int, KEY v (v)) ENGINE=InnoDB;
