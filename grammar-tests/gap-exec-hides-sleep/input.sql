UPDATE sbtest1 SET c='x' WHERE id=5 /*! AND SLEEP(1) = 0 */
