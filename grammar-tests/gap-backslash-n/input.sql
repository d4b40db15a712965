UPDATE sbtest1 SET c='line1\nline2' WHERE id=5
