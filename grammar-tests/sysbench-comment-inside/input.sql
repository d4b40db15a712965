UPDATE sbtest1 /* app:42 */ SET k=k+1 WHERE id=3 -- trailing
