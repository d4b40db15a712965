SELECT `meta_key` FROM `wp_postmeta` WHERE `post_id` = 15 AND `meta_key` = '_edit_lock'
