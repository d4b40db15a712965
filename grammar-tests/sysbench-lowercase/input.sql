update sbtest1 set k=k+1 where id=77
