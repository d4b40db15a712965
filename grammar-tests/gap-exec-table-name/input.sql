UPDATE /*!50000 sbtest1 */ SET c='x' WHERE id=5
