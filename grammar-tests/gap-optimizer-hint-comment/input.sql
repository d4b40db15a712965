UPDATE /*+ NO_RANGE_OPTIMIZER(t1) */ sbtest1 SET c='x' WHERE id=5
