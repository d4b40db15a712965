INSERT INTO order_line (ol_o_id, ol_d_id, ol_w_id, ol_number, ol_i_id) VALUES (3001, 1, 1, 1, 10), (3001, 1, 1, 2, 11), (3001, 1, 1, 3, 12)
