UPDATE `order` SET `select` = 2 WHERE `key` = 1
