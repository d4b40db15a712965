SELECT `bucket`, `value`, `note`, `name` FROM counters WHERE name = 'hits' AND bucket = 3
-- phase2 0: SELECT `value`, `note` FROM `app`.`counters` FORCE INDEX (`uniq_value_note`) WHERE (`value`, `note`) IN ((?, ?), (?, ?)) -- params: 101, 102, 102, 102
