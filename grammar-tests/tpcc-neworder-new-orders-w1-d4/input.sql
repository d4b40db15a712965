INSERT INTO new_orders (no_o_id, no_d_id, no_w_id) VALUES (3001, 4, 1)
