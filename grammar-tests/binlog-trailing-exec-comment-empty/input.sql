DELETE FROM sbtest1 WHERE id=17 /*!*/
