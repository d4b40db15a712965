XA END 'xid1'
