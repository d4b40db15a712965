DELETE FROM shop.cart_items WHERE cart_id = 9001 AND product_id = 10
