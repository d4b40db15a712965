SELECT `n` FROM bin WHERE code = 'ABC'
