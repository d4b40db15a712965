SELECT `bucket`, `value`, `note`, `name` FROM counters WHERE name = 'a' AND bucket = 1
-- phase2 0: SELECT `value`, `note` FROM `app`.`counters` FORCE INDEX (`uniq_value_note`) WHERE `value` = ? AND `note` = ? -- params: 101, 102
SELECT `value`, `note` FROM `app`.`counters` FORCE INDEX (`uniq_value_note`) WHERE `value` = 10 AND `note` = 'ten' LIMIT 1
