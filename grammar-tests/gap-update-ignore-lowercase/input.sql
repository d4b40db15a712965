update ignore sbtest1 set c='x' where id=5
