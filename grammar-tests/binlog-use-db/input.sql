use `app`/*!*/
