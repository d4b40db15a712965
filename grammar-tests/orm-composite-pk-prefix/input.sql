UPDATE counters SET note = 'n' WHERE name = 'hits'
