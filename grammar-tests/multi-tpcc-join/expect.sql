SELECT orders.`o_carrier_id` FROM orders JOIN new_orders ON no_o_id = o_id AND no_d_id = o_d_id AND no_w_id = o_w_id WHERE no_w_id = 1 AND no_d_id = 2
