SELECT `s_quantity` FROM stock WHERE s_w_id = 1 AND s_i_id IN (10, 11, 12)
