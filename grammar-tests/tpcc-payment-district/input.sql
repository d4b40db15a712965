UPDATE district SET d_ytd = d_ytd + 3021.50 WHERE d_w_id = 1 AND d_id = 5
