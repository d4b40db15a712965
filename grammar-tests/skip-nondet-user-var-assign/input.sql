UPDATE sbtest1 SET k = @x := k + 1 WHERE id = 5
