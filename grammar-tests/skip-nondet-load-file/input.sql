UPDATE sbtest1 SET c = LOAD_FILE('/etc/passwd') WHERE id = 5
