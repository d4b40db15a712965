INSERT IGNORE INTO shop.products (sku, price, category_id) VALUES ('S1', 2.00, 2)
