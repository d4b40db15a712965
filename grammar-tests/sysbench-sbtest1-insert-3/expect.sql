SELECT `id` FROM `app`.`sbtest1` WHERE `id` = 241026
SELECT `k` FROM `app`.`sbtest1` FORCE INDEX (`k_1`) WHERE `k` = 248111 AND `id` = 241026
