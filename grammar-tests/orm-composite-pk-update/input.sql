UPDATE counters SET value = value + 1 WHERE name = 'hits' AND bucket = 3
