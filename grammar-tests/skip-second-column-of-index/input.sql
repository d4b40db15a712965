UPDATE customer SET c_data = 'x' WHERE c_last = 'ABLE'
