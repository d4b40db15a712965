SELECT `v`, `id` FROM other.q WHERE id = 18446744073709551615
-- phase2 0: SELECT `v`, `id` FROM `other`.`q` FORCE INDEX (`v`) WHERE (`v`, `id`) IN ((?, ?), (?, ?)) -- params: 100, 101, 99, 101
