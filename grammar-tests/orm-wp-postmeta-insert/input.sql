INSERT INTO `wp_postmeta` (`post_id`, `meta_key`, `meta_value`) VALUES (15, '_edit_lock', '1700000000:1')
