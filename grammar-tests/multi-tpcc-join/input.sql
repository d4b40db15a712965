UPDATE orders JOIN new_orders ON no_o_id = o_id AND no_d_id = o_d_id AND no_w_id = o_w_id SET o_carrier_id = 9 WHERE no_w_id = 1 AND no_d_id = 2
