INSERT INTO legacy_log (msg) VALUES ('x')
