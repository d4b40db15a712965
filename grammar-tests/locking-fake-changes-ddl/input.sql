ALTER TABLE sbtest1 ADD x int
