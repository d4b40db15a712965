SELECT `s_quantity` FROM stock WHERE s_i_id = 35884 AND s_w_id = 7
