DELETE FROM counters WHERE name = 'hits' AND bucket IN (1, 2)
