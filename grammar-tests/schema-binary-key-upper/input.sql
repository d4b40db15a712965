UPDATE bin SET n = 1 WHERE code = 'ABC'
