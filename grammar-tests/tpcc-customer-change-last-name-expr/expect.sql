SELECT `c_middle`, `c_w_id`, `c_d_id`, `c_last`, `c_first`, `c_id` FROM customer WHERE c_w_id = 1 AND c_d_id = 2 AND c_id = 3
-- phase2 0: SELECT `c_w_id`, `c_d_id`, `c_last`, `c_first`, `c_id` FROM `app`.`customer` FORCE INDEX (`idx_customer`) WHERE `c_w_id` = ? AND `c_d_id` = ? AND `c_last` = ? AND `c_first` = ? AND `c_id` = ? -- params: 101, 102, 103, 104, 105
