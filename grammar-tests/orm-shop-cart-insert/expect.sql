SELECT `cart_id`, `product_id` FROM `shop`.`cart_items` WHERE `cart_id` = 9001 AND `product_id` = 10
SELECT `product_id` FROM `shop`.`cart_items` FORCE INDEX (`product_idx`) WHERE `product_id` = 10 AND `cart_id` = 9001
