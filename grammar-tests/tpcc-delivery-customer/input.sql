UPDATE customer SET c_balance = c_balance + 120.00, c_delivery_cnt = c_delivery_cnt + 1 WHERE c_id = 17 AND c_d_id = 3 AND c_w_id = 1
