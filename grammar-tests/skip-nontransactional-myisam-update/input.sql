UPDATE legacy_log SET msg = 'y' WHERE id = 3
