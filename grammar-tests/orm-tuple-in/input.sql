DELETE FROM counters WHERE (name, bucket) IN (('a', 1), ('b', 2))
