SELECT c INTO @v FROM sbtest1 WHERE id = 5
