UPDATE sbtest1 SET c = ? WHERE id = ?
