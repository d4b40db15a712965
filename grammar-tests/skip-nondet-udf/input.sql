UPDATE sbtest1 SET c = my_udf(c) WHERE id = 5
