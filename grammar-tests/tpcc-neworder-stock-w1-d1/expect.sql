SELECT `s_quantity` FROM stock WHERE s_i_id = 51796 AND s_w_id = 1
