DELETE FROM `wp_postmeta` WHERE `meta_key` LIKE '_transient_%'
