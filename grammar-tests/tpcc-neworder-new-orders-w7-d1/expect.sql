SELECT `no_w_id`, `no_d_id`, `no_o_id` FROM `app`.`new_orders` WHERE `no_w_id` = 7 AND `no_d_id` = 1 AND `no_o_id` = 3001
