XA START 'xid1'
