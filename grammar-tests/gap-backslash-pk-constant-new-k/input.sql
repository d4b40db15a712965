UPDATE sessions SET expire_date = '2024-01-01' WHERE session_key = 'a\'b'
