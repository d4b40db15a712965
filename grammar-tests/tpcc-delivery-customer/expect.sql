SELECT `c_middle` FROM customer WHERE c_id = 17 AND c_d_id = 3 AND c_w_id = 1
