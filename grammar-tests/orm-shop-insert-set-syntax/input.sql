INSERT INTO shop.products SET sku = 'S9', price = 9.00, category_id = 1
