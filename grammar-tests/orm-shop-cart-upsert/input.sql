INSERT INTO shop.cart_items (cart_id, product_id, qty) VALUES (9001, 10, 1) ON DUPLICATE KEY UPDATE qty = qty + 1
