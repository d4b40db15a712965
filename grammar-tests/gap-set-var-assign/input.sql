SET @x := 5
