INSERT INTO history (h_c_d_id, h_c_w_id, h_c_id, h_d_id, h_w_id, h_date, h_amount, h_data) VALUES (5, 1, 17, 5, 1, '2024-05-01 10:00:00', 10.00, 'wh1 dist5')
