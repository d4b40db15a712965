GRANT SELECT ON app.* TO 'u'@'%'
