SELECT `sku` FROM `shop`.`products` FORCE INDEX (`sku`) WHERE `sku` = 'S9'
SELECT `category_id`, `price` FROM `shop`.`products` FORCE INDEX (`category_idx`) WHERE `category_id` = 1 AND `price` = 9.00
