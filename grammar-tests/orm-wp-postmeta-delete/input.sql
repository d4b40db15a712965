DELETE FROM `wp_postmeta` WHERE `post_id` = 15 AND `meta_key` = '_edit_last'
