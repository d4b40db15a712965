SELECT `ol_w_id`, `ol_d_id`, `ol_o_id`, `ol_number` FROM `app`.`order_line` WHERE `ol_w_id` = 1 AND `ol_d_id` = 1 AND `ol_o_id` = 3001 AND `ol_number` = 1
