SELECT `w_state` FROM warehouse WHERE w_id = 1
