SELECT `n` FROM ci WHERE code = 'ABC'
