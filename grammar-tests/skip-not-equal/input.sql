DELETE FROM sbtest1 WHERE id <> 5
