DELETE FROM sessions WHERE expire_date < NOW()
