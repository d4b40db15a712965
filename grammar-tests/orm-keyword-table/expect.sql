SELECT `desc` FROM `order` WHERE `key` = 1
