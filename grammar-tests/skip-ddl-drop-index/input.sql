DROP INDEX k_1 ON sbtest1
