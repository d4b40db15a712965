INSERT INTO order_line (ol_o_id, ol_d_id, ol_w_id, ol_number, ol_i_id, ol_supply_w_id, ol_quantity, ol_amount, ol_dist_info) VALUES (3001, 1, 7, 1, 555, 7, 5, 12.50, 'abcdefghijklmnopqrstuvwx')
