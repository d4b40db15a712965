SELECT `ol_quantity` FROM order_line WHERE ol_w_id = 1 AND ol_d_id = 2 AND ol_o_id BETWEEN 3000 AND 3020
