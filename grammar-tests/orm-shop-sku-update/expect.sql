SELECT `stock`, `sku`, `id` FROM shop.products WHERE sku = 'SKU-OLD'
-- phase2 0: SELECT `sku` FROM `shop`.`products` FORCE INDEX (`sku`) WHERE `sku` = ? -- params: 101
SELECT `sku` FROM `shop`.`products` FORCE INDEX (`sku`) WHERE `sku` = 'SKU-NEW' LIMIT 1
