SELECT `bucket`, `value`, `note`, `name` FROM counters WHERE name = 'hits' AND bucket IN (1, 2)
-- phase2 0: SELECT `value`, `note` FROM `app`.`counters` FORCE INDEX (`uniq_value_note`) WHERE `value` = ? AND `note` = ? -- params: 101, 102
