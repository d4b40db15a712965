INSERT INTO shop.products (id, sku, price, stock, category_id) VALUES (500, 'S500', 1.00, 5, 2)
