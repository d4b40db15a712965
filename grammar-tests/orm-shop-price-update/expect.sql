SELECT `stock`, `category_id`, `price`, `id` FROM shop.products WHERE id = 10
-- phase2 0: SELECT `category_id`, `price`, `id` FROM `shop`.`products` FORCE INDEX (`category_idx`) WHERE (`category_id`, `price`, `id`) IN ((?, ?, ?), (?, ?, ?)) -- params: 101, 102, 103, 101, Decimal("19.99"), 103
