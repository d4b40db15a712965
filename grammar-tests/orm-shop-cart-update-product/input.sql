UPDATE shop.cart_items SET product_id = 11 WHERE cart_id = 9001 AND product_id = 10
