INSERT INTO events (day, at, id, v) VALUES ('2024-05-01', '2024-05-01 10:00:00', 1, 7)
