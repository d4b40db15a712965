UPDATE sbtest1 SET c='x' WHERE id=5 /*M!100100 (((( */
