CREATE TABLE d (id decimal(10,2) NOT NULL, n int, m int, PRIMARY KEY (id), KEY m_idx (m)) ENGINE=InnoDB;
