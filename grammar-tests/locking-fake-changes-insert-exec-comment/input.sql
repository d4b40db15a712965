INSERT /*!50000 IGNORE */ INTO sbtest1 (id, k) VALUES (5, 6)
