SELECT `stock` FROM `shop`.`products` WHERE `shop`.`products`.`id` = 10
