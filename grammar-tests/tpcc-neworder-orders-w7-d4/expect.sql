SELECT `o_w_id`, `o_d_id`, `o_id` FROM `app`.`orders` WHERE `o_w_id` = 7 AND `o_d_id` = 4 AND `o_id` = 3001
SELECT `o_w_id`, `o_d_id`, `o_c_id`, `o_id` FROM `app`.`orders` FORCE INDEX (`idx_orders`) WHERE `o_w_id` = 7 AND `o_d_id` = 4 AND `o_c_id` = 1234 AND `o_id` = 3001
