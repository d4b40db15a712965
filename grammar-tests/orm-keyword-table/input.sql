UPDATE `order` SET `desc` = 'x' WHERE `key` = 1
