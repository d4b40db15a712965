SELECT `id` FROM `shop`.`products` WHERE `id` = 500
SELECT `sku` FROM `shop`.`products` FORCE INDEX (`sku`) WHERE `sku` = 'S500'
SELECT `category_id`, `price` FROM `shop`.`products` FORCE INDEX (`category_idx`) WHERE `category_id` = 2 AND `price` = 1.00 AND `id` = 500
