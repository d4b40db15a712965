DELETE FROM sbtest1 /*!40000 WHERE id = 9 */
