SELECT `day`, `v`, `at`, `id` FROM events WHERE day = '2024-5-1' AND at = '2024-05-01 10:00:00' AND id = 3
-- phase2 0: SELECT `v`, `day`, `at`, `id` FROM `app`.`events` FORCE INDEX (`v_idx`) WHERE `v` = ? AND `day` = ? AND `at` = ? AND `id` = ? -- params: 101, 100, 102, 103
