SELECT `id` FROM `app`.`sbtest2` WHERE `id` = 282403
SELECT `k` FROM `app`.`sbtest2` FORCE INDEX (`k_2`) WHERE `k` = 537320 AND `id` = 282403
