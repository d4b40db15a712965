SELECT `meta_key`, `post_id`, `meta_id` FROM `wp_postmeta` WHERE `post_id` = 15 AND `meta_key` = '_edit_last'
-- phase2 0: SELECT `post_id`, `meta_id` FROM `app`.`wp_postmeta` FORCE INDEX (`post_id`) WHERE `post_id` = ? AND `meta_id` = ? -- params: 101, 102
-- phase2 0: SELECT `meta_key`, `meta_id` FROM `app`.`wp_postmeta` FORCE INDEX (`meta_key`) WHERE `meta_key` = ? AND `meta_id` = ? -- params: 100, 102
