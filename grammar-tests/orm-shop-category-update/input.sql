UPDATE shop.products SET category_id = 4 WHERE id = 10
