INSERT INTO counters (name, bucket, value) VALUES ('hits', 3, 1) ON DUPLICATE KEY UPDATE value = value + 1
