SET @@session.pseudo_thread_id=5/*!*/
