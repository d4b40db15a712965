SELECT `user_id` FROM sessions WHERE session_key = X'6b31'
