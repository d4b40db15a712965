INSERT INTO shop.products (sku, price, stock, category_id, title) VALUES ('S1', 1.00, 5, 2, 'One')
