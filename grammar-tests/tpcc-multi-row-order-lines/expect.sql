SELECT `ol_w_id`, `ol_d_id`, `ol_o_id`, `ol_number` FROM `app`.`order_line` WHERE (`ol_w_id`, `ol_d_id`, `ol_o_id`, `ol_number`) IN ((1, 1, 3001, 1), (1, 1, 3001, 2), (1, 1, 3001, 3))
