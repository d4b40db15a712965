SELECT `s_quantity` FROM stock WHERE s_i_id = 23729 AND s_w_id = 1
