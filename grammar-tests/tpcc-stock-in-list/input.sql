UPDATE stock SET s_quantity = s_quantity - 1 WHERE s_w_id = 1 AND s_i_id IN (10, 11, 12)
