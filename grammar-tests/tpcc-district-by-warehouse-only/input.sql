UPDATE district SET d_ytd = 0 WHERE d_w_id = 3
