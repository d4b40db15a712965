UPDATE warehouse SET w_ytd = w_ytd + 3021.50 WHERE w_id = 1
