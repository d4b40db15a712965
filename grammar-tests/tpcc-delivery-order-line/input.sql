UPDATE order_line SET ol_delivery_d = '2024-05-01 10:00:00' WHERE ol_o_id = 2101 AND ol_d_id = 3 AND ol_w_id = 1
