UPDATE shop.products SET price = 19.99 WHERE id = 10
