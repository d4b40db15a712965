CALL app.proc(1)
