UPDATE IGNORE sbtest1, sbtest2 SET sbtest1.k = sbtest2.k WHERE sbtest1.id = sbtest2.id AND sbtest2.id = 3
