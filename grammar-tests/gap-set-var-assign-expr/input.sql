SET @x := (SELECT 1), @y = 2
