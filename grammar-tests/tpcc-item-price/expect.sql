SELECT `i_im_id` FROM item WHERE i_id = 1234
