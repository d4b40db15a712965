UPDATE sbtest1 SET k=k+1 WHERE 77=id
