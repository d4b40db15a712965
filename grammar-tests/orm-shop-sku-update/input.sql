UPDATE shop.products SET sku = 'SKU-NEW' WHERE sku = 'SKU-OLD'
