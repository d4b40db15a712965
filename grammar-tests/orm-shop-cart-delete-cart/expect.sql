SELECT `qty`, `product_id`, `cart_id` FROM shop.cart_items WHERE cart_id = 9001
-- phase2 0: SELECT `product_id`, `cart_id` FROM `shop`.`cart_items` FORCE INDEX (`product_idx`) WHERE `product_id` = ? AND `cart_id` = ? -- params: 101, 102
