SELECT `note` FROM u WHERE code = 'a'
