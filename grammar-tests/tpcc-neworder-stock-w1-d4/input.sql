UPDATE stock SET s_quantity = 42, s_ytd = s_ytd + 5, s_order_cnt = s_order_cnt + 1 WHERE s_i_id = 23729 AND s_w_id = 1
