DELETE FROM `order` WHERE `select` = 3
