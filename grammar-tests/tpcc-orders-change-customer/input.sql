UPDATE orders SET o_c_id = 99 WHERE o_w_id = 1 AND o_d_id = 2 AND o_id = 3
