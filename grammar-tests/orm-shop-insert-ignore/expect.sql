SELECT `sku` FROM `shop`.`products` FORCE INDEX (`sku`) WHERE `sku` = 'S1'
SELECT `category_id`, `price` FROM `shop`.`products` FORCE INDEX (`category_idx`) WHERE `category_id` = 2 AND `price` = 2.00
