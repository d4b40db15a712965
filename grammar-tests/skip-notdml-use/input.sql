USE app
