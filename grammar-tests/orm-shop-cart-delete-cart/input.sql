DELETE FROM shop.cart_items WHERE cart_id = 9001
