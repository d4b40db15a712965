UPDATE sbtest1 SET c='x' WHERE id=5 /*!80000 AND k = 3 */
