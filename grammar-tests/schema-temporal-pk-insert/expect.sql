SELECT `day`, `at`, `id` FROM `app`.`events` WHERE `day` = '2024-05-01' AND `at` = '2024-05-01 10:00:00' AND `id` = 1
SELECT `v` FROM `app`.`events` FORCE INDEX (`v_idx`) WHERE `v` = 7 AND `day` = '2024-05-01' AND `at` = '2024-05-01 10:00:00' AND `id` = 1
