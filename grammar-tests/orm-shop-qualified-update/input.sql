UPDATE `shop`.`products` SET `stock` = `stock` - 1 WHERE `shop`.`products`.`id` = 10
