UPDATE customer SET c_balance = c_balance - 10.00, c_ytd_payment = c_ytd_payment + 10.00, c_payment_cnt = c_payment_cnt + 1 WHERE c_w_id = 7 AND c_d_id = 4 AND c_id = 17
