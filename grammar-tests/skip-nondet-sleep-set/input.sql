UPDATE sbtest1 SET c = SLEEP(1) WHERE id = 5
