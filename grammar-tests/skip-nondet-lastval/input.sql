UPDATE sbtest1 SET k = LASTVAL(seq1) WHERE id = 5
