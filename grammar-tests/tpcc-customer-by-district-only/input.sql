UPDATE customer SET c_data = 'x' WHERE c_d_id = 3
