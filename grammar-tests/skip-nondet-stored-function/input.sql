UPDATE sbtest1 SET c = app.f(1) WHERE id = 5
