UPDATE sbtest1 SET c = 'x'
