insert into sbtest1(id, k, c, pad) values(17, 3, 'c', 'p')
