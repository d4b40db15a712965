UPDATE item SET i_price = 9.99 WHERE i_id = 1234
