UPDATE sessions SET user_id = 3 WHERE session_key = X'6b31'
