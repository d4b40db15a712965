SELECT `ol_quantity` FROM order_line WHERE ol_o_id = 2101 AND ol_d_id = 3 AND ol_w_id = 1
