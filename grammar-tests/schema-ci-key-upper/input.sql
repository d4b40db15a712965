UPDATE ci SET n = 1 WHERE code = 'ABC'
