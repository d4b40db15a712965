UPDATE sbtest1 SET c='x' WHERE id=5 /*! ; DROP TABLE sbtest1 */
