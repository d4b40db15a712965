SELECT `name`, `bucket` FROM `app`.`counters` WHERE `name` = 'hits' AND `bucket` = 3
