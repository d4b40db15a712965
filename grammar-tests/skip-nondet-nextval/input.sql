INSERT INTO sbtest1 (id, k) VALUES (NEXTVAL(seq1), 5)
