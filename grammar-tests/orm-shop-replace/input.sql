REPLACE INTO shop.products (id, sku, price, category_id) VALUES (500, 'S500', 3.00, 2)
