INSERT INTO history (h_c_id, h_amount) SELECT c_id, c_balance FROM customer JOIN district ON d_w_id = c_w_id AND d_id = c_d_id WHERE c_w_id = 1 AND c_d_id = 2
