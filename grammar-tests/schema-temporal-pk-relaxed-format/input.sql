DELETE FROM events WHERE day = '2024-5-1' AND at = '2024-05-01 10:00:00' AND id = 3
