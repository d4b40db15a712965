SELECT `o_carrier_id` FROM orders WHERE o_id = 2101 AND o_d_id = 4 AND o_w_id = 1
