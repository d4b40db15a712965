SELECT `bucket`, `value`, `note`, `name` FROM counters WHERE name = 'hits'
-- phase2 0: SELECT `value`, `note` FROM `app`.`counters` FORCE INDEX (`uniq_value_note`) WHERE (`value`, `note`) IN ((?, ?), (?, ?)) -- params: 101, 102, 101, 'n'
