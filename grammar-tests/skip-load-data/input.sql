LOAD DATA INFILE '/tmp/x.csv' INTO TABLE sbtest1
