DELETE FROM sbtest1 WHERE id = (SELECT id INTO @x FROM sbtest2 WHERE id = 5)
