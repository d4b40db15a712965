SELECT `o_carrier_id`, `o_w_id`, `o_d_id`, `o_c_id`, `o_id` FROM orders WHERE o_w_id = 1 AND o_d_id = 2 AND o_id = 3
-- phase2 0: SELECT `o_w_id`, `o_d_id`, `o_c_id`, `o_id` FROM `app`.`orders` FORCE INDEX (`idx_orders`) WHERE (`o_w_id`, `o_d_id`, `o_c_id`, `o_id`) IN ((?, ?, ?, ?), (?, ?, ?, ?)) -- params: 101, 102, 103, 104, 101, 102, 99, 104
