SELECT `n` FROM ci WHERE code = 'abc'
