DELETE FROM sbtest1 WHERE id = (@x := 5)
