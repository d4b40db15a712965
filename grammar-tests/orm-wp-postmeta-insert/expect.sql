SELECT `post_id` FROM `app`.`wp_postmeta` FORCE INDEX (`post_id`) WHERE `post_id` = 15
SELECT `meta_key` FROM `app`.`wp_postmeta` FORCE INDEX (`meta_key`) WHERE `meta_key` = '_edit_lock'
