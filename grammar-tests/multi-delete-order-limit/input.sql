DELETE FROM sessions WHERE expire_date < '2024-01-01' ORDER BY expire_date LIMIT 1000
