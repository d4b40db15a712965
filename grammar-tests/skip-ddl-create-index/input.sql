CREATE INDEX i ON sbtest1 (c)
