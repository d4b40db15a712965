SET @@session.sql_mode=1411383296/*!*/
