UPDATE `wp_postmeta` SET `meta_value` = 'x' WHERE `post_id` = 15 AND `meta_key` = '_edit_lock'
