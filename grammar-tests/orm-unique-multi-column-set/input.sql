UPDATE counters SET value = 10, note = 'ten' WHERE name = 'a' AND bucket = 1
