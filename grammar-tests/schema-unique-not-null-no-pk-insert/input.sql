INSERT INTO u (code, v) VALUES ('a', 1)
