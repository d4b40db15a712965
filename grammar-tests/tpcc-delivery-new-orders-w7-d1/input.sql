DELETE FROM new_orders WHERE no_o_id = 2101 AND no_d_id = 1 AND no_w_id = 7
