INSERT INTO shop.cart_items (cart_id, product_id, qty) VALUES (9001, 10, 2)
