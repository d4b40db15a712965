DELETE FROM sbtest1 WHERE id=3 # bye
