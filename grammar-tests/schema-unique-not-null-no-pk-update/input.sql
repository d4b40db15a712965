UPDATE u SET v = 3 WHERE code = 'a'
