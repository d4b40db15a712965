UPDATE legacy_log SET msg = 'x' WHERE id = 5
