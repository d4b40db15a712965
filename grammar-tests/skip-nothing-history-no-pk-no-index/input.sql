INSERT INTO history (h_amount) VALUES (1.00)
