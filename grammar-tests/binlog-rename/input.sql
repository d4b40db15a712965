RENAME TABLE sbtest1 TO sbtest1_old
