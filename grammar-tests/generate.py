#!/usr/bin/env python3
"""Writes the grammar-test case folders (input.sql, optional mode/flavor) from the lists below.

Expectations are not written here: run `BLESS=1 cargo test --test grammar`, then review the
diff of every expect.sql / expect_skip / keys before committing. Existing case folders with the
same name are overwritten (input only); folders of cases removed from this list are not deleted.

Usage: python3 grammar-tests/generate.py
"""

import os
import random

ROOT = os.path.dirname(os.path.abspath(__file__))
CASES = []  # (category, name, input, mode, flavor, schema)


def case(cat, name, sql, mode=None, flavor=None, schema=None):
    CASES.append((cat, name, sql, mode, flavor, schema))


rnd = random.Random(20261122)


def c120():
    return "-".join("%011d" % rnd.randrange(10**11) for _ in range(10))


def c60():
    return "-".join("%011d" % rnd.randrange(10**11) for _ in range(5))


# --- sysbench -------------------------------------------------------------------------------
for t in ("sbtest1", "sbtest2"):
    for i in range(4):
        id_ = rnd.randrange(1, 10**6)
        case("sysbench", f"{t}-update-index-{i}", f"UPDATE {t} SET k=k+1 WHERE id={id_}")
        case("sysbench", f"{t}-update-non-index-{i}", f"UPDATE {t} SET c='{c120()}' WHERE id={id_}")
        case("sysbench", f"{t}-delete-{i}", f"DELETE FROM {t} WHERE id={id_}")
        case("sysbench", f"{t}-insert-{i}",
             f"INSERT INTO {t} (id, k, c, pad) VALUES ({id_}, {rnd.randrange(10**6)}, '{c120()}', '{c60()}')")
case("sysbench", "insert-id-zero-autoinc",
     f"INSERT INTO sbtest1 (id, k, c, pad) VALUES (0, 5123, '{c120()}', '{c60()}')")
case("sysbench", "insert-id-null-autoinc",
     f"INSERT INTO sbtest1 (id, k, c, pad) VALUES (NULL, 5123, '{c120()}', '{c60()}')")
case("sysbench", "insert-without-id", f"INSERT INTO sbtest1 (k, c, pad) VALUES (77, '{c120()}', '{c60()}')")
case("sysbench", "insert-multi-row",
     "INSERT INTO sbtest1 (id, k, c, pad) VALUES (1, 10, 'a', 'b'), (2, 20, 'a', 'b'), (3, 30, 'a', 'b')")
case("sysbench", "insert-multi-row-dup-k",
     "INSERT INTO sbtest1 (id, k, c, pad) VALUES (1, 10, 'a', 'b'), (2, 10, 'a', 'b')")
case("sysbench", "insert-no-column-list", "INSERT INTO sbtest1 VALUES (42, 43, 'c', 'pad')")
case("sysbench", "update-k-constant", "UPDATE sbtest1 SET k=500 WHERE id=10")
case("sysbench", "update-k-minus", "UPDATE sbtest1 SET k=k-3 WHERE id=10")
case("sysbench", "update-k-times", "UPDATE sbtest1 SET k=k*2 WHERE id=10")
case("sysbench", "update-k-negative-constant", "UPDATE sbtest1 SET k=-5 WHERE id=10")
case("sysbench", "update-k-and-c", "UPDATE sbtest1 SET k=k+1, c='x' WHERE id=10")
case("sysbench", "update-range", "UPDATE sbtest1 SET c='x' WHERE id BETWEEN 100 AND 199")
case("sysbench", "update-in-list", "UPDATE sbtest1 SET c='x' WHERE id IN (5, 6, 7)")
case("sysbench", "update-by-secondary", "UPDATE sbtest1 SET c='x' WHERE k=55")
case("sysbench", "update-by-secondary-range", "UPDATE sbtest1 SET c='x' WHERE k > 55 AND k < 60")
case("sysbench", "delete-in-list", "DELETE FROM sbtest1 WHERE id IN (1,2,3)")
case("sysbench", "delete-by-k", "DELETE FROM sbtest1 WHERE k = 9")
case("sysbench", "lowercase", "update sbtest1 set k=k+1 where id=77")
case("sysbench", "backticks", "UPDATE `sbtest1` SET `k`=`k`+1 WHERE `id`=77")
case("sysbench", "qualified", "UPDATE app.sbtest1 SET k=k+1 WHERE id=77")
case("sysbench", "qualified-backticks", "UPDATE `app`.`sbtest1` SET `k`=`k`+1 WHERE `id`=77")
case("sysbench", "trailing-semicolon", "DELETE FROM sbtest1 WHERE id=3;")
case("sysbench", "trailing-semicolons-space", "DELETE FROM sbtest1 WHERE id=3 ; ;  ")
case("sysbench", "comment-inside", "UPDATE sbtest1 /* app:42 */ SET k=k+1 WHERE id=3 -- trailing\n")
case("sysbench", "hash-comment", "DELETE FROM sbtest1 WHERE id=3 # bye")
case("sysbench", "string-id", "UPDATE sbtest1 SET k=k+1 WHERE id='77'")
case("sysbench", "id-equals-reversed", "UPDATE sbtest1 SET k=k+1 WHERE 77=id")
case("sysbench", "parenthesised-where", "UPDATE sbtest1 SET k=k+1 WHERE (id=77)")
case("sysbench", "order-by-limit", "UPDATE sbtest1 SET c='x' WHERE k > 10 ORDER BY k LIMIT 5")
case("sysbench", "delete-order-by-limit", "DELETE FROM sbtest1 WHERE id > 1000 ORDER BY id LIMIT 100")

# --- TPC-C ----------------------------------------------------------------------------------
for w in (1, 7):
    for d in (1, 4):
        case("tpcc", f"neworder-district-w{w}-d{d}",
             f"UPDATE district SET d_next_o_id = d_next_o_id + 1 WHERE d_id = {d} AND d_w_id = {w}")
        case("tpcc", f"neworder-orders-w{w}-d{d}",
             f"INSERT INTO orders (o_id, o_d_id, o_w_id, o_c_id, o_entry_d, o_ol_cnt, o_all_local) "
             f"VALUES (3001, {d}, {w}, 1234, '2024-05-01 10:00:00', 7, 1)")
        case("tpcc", f"neworder-new-orders-w{w}-d{d}",
             f"INSERT INTO new_orders (no_o_id, no_d_id, no_w_id) VALUES (3001, {d}, {w})")
        case("tpcc", f"neworder-stock-w{w}-d{d}",
             f"UPDATE stock SET s_quantity = 42, s_ytd = s_ytd + 5, s_order_cnt = s_order_cnt + 1 "
             f"WHERE s_i_id = {rnd.randrange(1, 100000)} AND s_w_id = {w}")
        case("tpcc", f"neworder-order-line-w{w}-d{d}",
             f"INSERT INTO order_line (ol_o_id, ol_d_id, ol_w_id, ol_number, ol_i_id, ol_supply_w_id, "
             f"ol_quantity, ol_amount, ol_dist_info) VALUES (3001, {d}, {w}, 1, 555, {w}, 5, 12.50, "
             f"'abcdefghijklmnopqrstuvwx')")
        case("tpcc", f"payment-customer-w{w}-d{d}",
             f"UPDATE customer SET c_balance = c_balance - 10.00, c_ytd_payment = c_ytd_payment + 10.00, "
             f"c_payment_cnt = c_payment_cnt + 1 WHERE c_w_id = {w} AND c_d_id = {d} AND c_id = 17")
        case("tpcc", f"delivery-new-orders-w{w}-d{d}",
             f"DELETE FROM new_orders WHERE no_o_id = 2101 AND no_d_id = {d} AND no_w_id = {w}")
        case("tpcc", f"delivery-orders-w{w}-d{d}",
             f"UPDATE orders SET o_carrier_id = 3 WHERE o_id = 2101 AND o_d_id = {d} AND o_w_id = {w}")
case("tpcc", "payment-warehouse", "UPDATE warehouse SET w_ytd = w_ytd + 3021.50 WHERE w_id = 1")
case("tpcc", "payment-district", "UPDATE district SET d_ytd = d_ytd + 3021.50 WHERE d_w_id = 1 AND d_id = 5")
case("tpcc", "payment-history-no-pk",
     "INSERT INTO history (h_c_d_id, h_c_w_id, h_c_id, h_d_id, h_w_id, h_date, h_amount, h_data) "
     "VALUES (5, 1, 17, 5, 1, '2024-05-01 10:00:00', 10.00, 'wh1 dist5')")
case("tpcc", "delivery-order-line",
     "UPDATE order_line SET ol_delivery_d = '2024-05-01 10:00:00' WHERE ol_o_id = 2101 AND ol_d_id = 3 AND ol_w_id = 1")
case("tpcc", "delivery-customer",
     "UPDATE customer SET c_balance = c_balance + 120.00, c_delivery_cnt = c_delivery_cnt + 1 "
     "WHERE c_id = 17 AND c_d_id = 3 AND c_w_id = 1")
case("tpcc", "payment-customer-by-name",
     "UPDATE customer SET c_balance = c_balance - 1 WHERE c_w_id = 1 AND c_d_id = 2 AND c_last = 'BARBARBAR'")
case("tpcc", "customer-change-last-name",
     "UPDATE customer SET c_last = 'OUGHTABLE' WHERE c_w_id = 1 AND c_d_id = 2 AND c_id = 3")
case("tpcc", "customer-change-last-name-expr",
     "UPDATE customer SET c_last = CONCAT(c_last, 'X') WHERE c_w_id = 1 AND c_d_id = 2 AND c_id = 3")
case("tpcc", "stock-level-like-delete",
     "DELETE FROM order_line WHERE ol_w_id = 1 AND ol_d_id = 2 AND ol_o_id BETWEEN 3000 AND 3020")
case("tpcc", "orders-change-customer",
     "UPDATE orders SET o_c_id = 99 WHERE o_w_id = 1 AND o_d_id = 2 AND o_id = 3")
case("tpcc", "multi-row-order-lines",
     "INSERT INTO order_line (ol_o_id, ol_d_id, ol_w_id, ol_number, ol_i_id) VALUES "
     "(3001, 1, 1, 1, 10), (3001, 1, 1, 2, 11), (3001, 1, 1, 3, 12)")
case("tpcc", "stock-in-list",
     "UPDATE stock SET s_quantity = s_quantity - 1 WHERE s_w_id = 1 AND s_i_id IN (10, 11, 12)")
case("tpcc", "item-price",
     "UPDATE item SET i_price = 9.99 WHERE i_id = 1234")
case("tpcc", "district-by-warehouse-only",
     "UPDATE district SET d_ytd = 0 WHERE d_w_id = 3")
case("tpcc", "customer-by-district-only",
     "UPDATE customer SET c_data = 'x' WHERE c_d_id = 3")

# --- ORM-generated --------------------------------------------------------------------------
orm = [
    ("django-update", "UPDATE `users` SET `name` = 'Ann', `updated_at` = '2024-01-02 03:04:05' WHERE `users`.`id` = 12"),
    ("django-update-qualified", "UPDATE `app`.`users` SET `login_count` = `app`.`users`.`login_count` + 1 WHERE `app`.`users`.`id` = 12"),
    ("django-delete-in", "DELETE FROM `users` WHERE `users`.`id` IN (1, 2, 3, 4)"),
    ("django-insert", "INSERT INTO `users` (`email`, `name`, `status`, `created_at`, `updated_at`, `login_count`, `bio`) VALUES ('a@example.com', 'A', 0, '2024-01-01 00:00:00', NULL, 0, '')"),
    ("django-insert-multi", "INSERT INTO `users` (`email`, `name`, `status`, `created_at`) VALUES ('a@x.io', 'A', 1, '2024-01-01'), ('b@x.io', 'B', 1, '2024-01-01')"),
    ("django-update-status", "UPDATE `users` SET `status` = 2 WHERE `users`.`id` = 5"),
    ("django-update-email", "UPDATE `users` SET `email` = 'new@example.com' WHERE `users`.`id` = 5"),
    ("django-update-by-email", "UPDATE `users` SET `login_count` = `login_count` + 1 WHERE `users`.`email` = 'a@example.com'"),
    ("django-session-delete", "DELETE FROM `sessions` WHERE `sessions`.`session_key` = 'abcdef0123456789abcdef0123456789abcdef01'"),
    ("django-session-expire", "DELETE FROM `sessions` WHERE `sessions`.`expire_date` < '2024-01-01 00:00:00'"),
    ("django-session-insert", "INSERT INTO `sessions` (`session_key`, `session_data`, `expire_date`) VALUES ('k1', 'data', '2024-02-01 00:00:00')"),
    ("django-session-upsert", "INSERT INTO `sessions` (`session_key`, `session_data`, `expire_date`) VALUES ('k1', 'data', '2024-02-01 00:00:00') ON DUPLICATE KEY UPDATE `session_data` = VALUES(`session_data`), `expire_date` = VALUES(`expire_date`)"),
    ("rails-update", "UPDATE `users` SET `users`.`name` = 'Bob', `users`.`updated_at` = '2024-05-05 05:05:05' WHERE `users`.`id` = 99"),
    ("rails-touch", "UPDATE `users` SET `updated_at` = '2024-05-05 05:05:05' WHERE `users`.`id` IN (99, 100)"),
    ("rails-counter", "UPDATE `wp_posts` SET `comment_count` = COALESCE(`comment_count`, 0) + 1 WHERE `wp_posts`.`ID` = 7"),
    ("rails-delete-all", "DELETE FROM `users` WHERE `users`.`status` = 9"),
    ("rails-insert-returning-less", "INSERT INTO `users` (`email`, `name`, `created_at`) VALUES ('r@x.io', 'R', '2024-05-05 05:05:05')"),
    ("wp-update-post", "UPDATE `wp_posts` SET `post_title` = 'Hello', `post_content` = 'World', `post_name` = 'hello' WHERE `ID` = 15"),
    ("wp-update-status", "UPDATE `wp_posts` SET `post_status` = 'trash' WHERE `ID` = 15"),
    ("wp-update-author", "UPDATE `wp_posts` SET `post_author` = 3 WHERE `ID` = 15"),
    ("wp-postmeta-update", "UPDATE `wp_postmeta` SET `meta_value` = 'x' WHERE `post_id` = 15 AND `meta_key` = '_edit_lock'"),
    ("wp-postmeta-delete", "DELETE FROM `wp_postmeta` WHERE `post_id` = 15 AND `meta_key` = '_edit_last'"),
    ("wp-postmeta-insert", "INSERT INTO `wp_postmeta` (`post_id`, `meta_key`, `meta_value`) VALUES (15, '_edit_lock', '1700000000:1')"),
    ("wp-delete-post", "DELETE FROM `wp_posts` WHERE `ID` = 15"),
    ("wp-update-by-name", "UPDATE `wp_posts` SET `comment_count` = 3 WHERE `post_name` = 'hello-world'"),
    ("wp-update-by-type-status", "UPDATE `wp_posts` SET `post_status` = 'publish' WHERE `post_type` = 'post' AND `post_status` = 'future' AND `post_date` <= '2024-01-01'"),
    ("wp-option-like", "DELETE FROM `wp_postmeta` WHERE `meta_key` LIKE '_transient_%'"),
    ("wp-option-like-leading-wildcard", "DELETE FROM `wp_postmeta` WHERE `meta_key` LIKE '%_transient'"),
    ("shop-qualified-update", "UPDATE `shop`.`products` SET `stock` = `stock` - 1 WHERE `shop`.`products`.`id` = 10"),
    ("shop-price-update", "UPDATE shop.products SET price = 19.99 WHERE id = 10"),
    ("shop-category-update", "UPDATE shop.products SET category_id = 4 WHERE id = 10"),
    ("shop-sku-update", "UPDATE shop.products SET sku = 'SKU-NEW' WHERE sku = 'SKU-OLD'"),
    ("shop-insert", "INSERT INTO shop.products (sku, price, stock, category_id, title) VALUES ('S1', 1.00, 5, 2, 'One')"),
    ("shop-insert-explicit-id", "INSERT INTO shop.products (id, sku, price, stock, category_id) VALUES (500, 'S500', 1.00, 5, 2)"),
    ("shop-upsert-sku", "INSERT INTO shop.products (sku, price, category_id) VALUES ('S1', 2.00, 2) ON DUPLICATE KEY UPDATE price = VALUES(price)"),
    ("shop-replace", "REPLACE INTO shop.products (id, sku, price, category_id) VALUES (500, 'S500', 3.00, 2)"),
    ("shop-cart-insert", "INSERT INTO shop.cart_items (cart_id, product_id, qty) VALUES (9001, 10, 2)"),
    ("shop-cart-upsert", "INSERT INTO shop.cart_items (cart_id, product_id, qty) VALUES (9001, 10, 1) ON DUPLICATE KEY UPDATE qty = qty + 1"),
    ("shop-cart-delete", "DELETE FROM shop.cart_items WHERE cart_id = 9001 AND product_id = 10"),
    ("shop-cart-delete-cart", "DELETE FROM shop.cart_items WHERE cart_id = 9001"),
    ("shop-cart-update-product", "UPDATE shop.cart_items SET product_id = 11 WHERE cart_id = 9001 AND product_id = 10"),
    ("shop-insert-set-syntax", "INSERT INTO shop.products SET sku = 'S9', price = 9.00, category_id = 1"),
    ("shop-insert-ignore", "INSERT IGNORE INTO shop.products (sku, price, category_id) VALUES ('S1', 2.00, 2)"),
    ("keyword-table", "UPDATE `order` SET `desc` = 'x' WHERE `key` = 1"),
    ("keyword-table-select-col", "UPDATE `order` SET `select` = 2 WHERE `key` = 1"),
    ("keyword-table-delete", "DELETE FROM `order` WHERE `select` = 3"),
    ("composite-pk-upsert", "INSERT INTO counters (name, bucket, value) VALUES ('hits', 3, 1) ON DUPLICATE KEY UPDATE value = value + 1"),
    ("composite-pk-update", "UPDATE counters SET value = value + 1 WHERE name = 'hits' AND bucket = 3"),
    ("composite-pk-prefix", "UPDATE counters SET note = 'n' WHERE name = 'hits'"),
    ("composite-pk-in", "DELETE FROM counters WHERE name = 'hits' AND bucket IN (1, 2)"),
    ("unique-multi-column-set", "UPDATE counters SET value = 10, note = 'ten' WHERE name = 'a' AND bucket = 1"),
    ("nopk-update", "UPDATE nopk SET c = 'x' WHERE a = 3"),
    ("nopk-insert", "INSERT INTO nopk (a, b, c) VALUES (1, 2, 'x')"),
    ("nopk-delete", "DELETE FROM nopk WHERE a = 3"),
    ("or-of-indexed", "UPDATE users SET name = 'x' WHERE id = 1 OR email = 'a@b.c'"),
    ("or-with-unindexed", "UPDATE users SET name = 'x' WHERE id = 1 OR name = 'y'"),
    ("is-null-index", "UPDATE users SET name = 'x' WHERE status IS NULL"),
    ("subquery-in", "UPDATE users SET status = 1 WHERE id IN (SELECT post_author FROM wp_posts WHERE ID = 3)"),
    ("tuple-in", "DELETE FROM counters WHERE (name, bucket) IN (('a', 1), ('b', 2))"),
    ("now-in-set", "UPDATE users SET updated_at = NOW() WHERE id = 3"),
    ("now-in-where", "DELETE FROM sessions WHERE expire_date < NOW()"),
    ("date-add", "DELETE FROM sessions WHERE expire_date < DATE_SUB('2024-01-01', INTERVAL 7 DAY)"),
    ("case-expr", "UPDATE users SET status = CASE WHEN login_count > 10 THEN 2 ELSE 1 END WHERE id = 4"),
    ("alias-update", "UPDATE users u SET u.name = 'x' WHERE u.id = 4"),
    ("alias-as-update", "UPDATE users AS u SET u.status = 3 WHERE u.id = 4"),
]
for name, sql in orm:
    case("orm", name, sql)

# --- binlog-style statements ----------------------------------------------------------------
binlog = [
    ("mariadb-begin", "BEGIN"),
    ("commit", "COMMIT"),
    ("rollback", "ROLLBACK"),
    ("savepoint", "SAVEPOINT sp1"),
    ("set-timestamp", "SET TIMESTAMP=1700000000/*!*/"),
    ("set-session-vars", "SET @@session.pseudo_thread_id=5/*!*/"),
    ("set-sql-mode", "SET @@session.sql_mode=1411383296/*!*/"),
    ("use-db", "use `app`/*!*/"),
    ("dump-disable-keys", "/*!40000 ALTER TABLE `users` DISABLE KEYS */"),
    ("dump-insert-ignore-comment", "INSERT /*!50000 IGNORE */ INTO `users` (`email`, `name`, `created_at`) VALUES ('z@z.z', 'Z', '2024-01-01')"),
    ("statement-delete-qualified", "DELETE FROM `app`.`sbtest1` WHERE `id` = 17"),
    ("statement-update-qualified", "UPDATE `app`.`sbtest1` SET `c` = 'abc' WHERE `id` = 17"),
    ("mysql-binlog-insert", "insert into sbtest1(id, k, c, pad) values(17, 3, 'c', 'p')"),
    ("annotate-style-update", "UPDATE sbtest1 SET k=k+1 WHERE id=17 /* ANNOTATE */"),
    ("trailing-exec-comment-empty", "DELETE FROM sbtest1 WHERE id=17 /*!*/"),
    ("xa-start", "XA START 'xid1'"),
    ("xa-end", "XA END 'xid1'"),
    ("xa-prepare", "XA PREPARE 'xid1'"),
    ("xa-commit", "XA COMMIT 'xid1'"),
    ("create-db", "CREATE DATABASE IF NOT EXISTS app2"),
    ("drop-table-binlog", "DROP TABLE IF EXISTS `app`.`t_old` /* generated by server */"),
    ("truncate", "TRUNCATE TABLE sbtest1"),
    ("rename", "RENAME TABLE sbtest1 TO sbtest1_old"),
    ("grant", "GRANT SELECT ON app.* TO 'u'@'%'"),
    ("flush", "FLUSH PRIVILEGES"),
    ("call", "CALL app.proc(1)"),
    ("do-sleep", "DO SLEEP(1)"),
    ("insert-hex-literal", "INSERT INTO sessions (session_key, expire_date) VALUES (0x6162, '2024-01-01')"),
    ("insert-charset-introducer", "INSERT INTO sessions (session_key, expire_date) VALUES (_utf8mb4'k2' COLLATE utf8mb4_bin, '2024-01-01')"),
    ("update-charset-introducer", "UPDATE users SET name = _latin1'x' WHERE id = 3"),
    ("binary-string-where", "UPDATE sessions SET user_id = 3 WHERE session_key = X'6b31'"),
]
for name, sql in binlog:
    case("binlog", name, sql)

# --- sqlparser gaps ---------------------------------------------------------------------------
gaps = [
    ("comma-update", "UPDATE sbtest1, sbtest2 SET sbtest1.c = 'x' WHERE sbtest1.id = sbtest2.id AND sbtest2.id = 5"),
    ("comma-update-aliases", "UPDATE sbtest1 a, sbtest2 b SET a.c = b.c WHERE a.id = b.id AND b.k = 5"),
    ("comma-update-three", "UPDATE orders o, new_orders n, customer c SET o.o_carrier_id = 1 WHERE o.o_w_id = n.no_w_id AND n.no_w_id = 1 AND n.no_d_id = 1 AND n.no_o_id = 5 AND c.c_w_id = 1 AND c.c_d_id = 1 AND c.c_id = o.o_c_id AND o.o_d_id = 1 AND o.o_id = 5"),
    ("comma-update-subquery-commas", "UPDATE sbtest1, (SELECT id, k FROM sbtest2 WHERE id IN (1, 2)) AS s SET sbtest1.k = s.k WHERE sbtest1.id = s.id"),
    ("comma-update-no-where", "UPDATE sbtest1, sbtest2 SET sbtest1.c = 'x'"),
    ("xa-recover", "XA RECOVER"),
    ("xa-rollback", "XA ROLLBACK 'x'"),
    ("set-var-assign", "SET @x := 5"),
    ("set-var-assign-expr", "SET @x := (SELECT 1), @y = 2"),
    ("delete-star", "DELETE sbtest1.* FROM sbtest1 JOIN sbtest2 ON sbtest1.id = sbtest2.id WHERE sbtest2.k = 5"),
    ("delete-star-two", "DELETE a.*, b.* FROM sbtest1 a JOIN sbtest2 b ON a.id = b.id WHERE a.id = 5"),
    ("delete-star-using", "DELETE FROM sbtest1.* USING sbtest1 JOIN sbtest2 ON sbtest1.id = sbtest2.id WHERE sbtest2.id = 5"),
    ("delete-star-backticks", "DELETE `sbtest1`.* FROM `sbtest1` JOIN `sbtest2` ON `sbtest1`.`id` = `sbtest2`.`id` WHERE `sbtest2`.`k` = 5"),
    ("update-low-priority-ignore", "UPDATE LOW_PRIORITY IGNORE sbtest1 SET k=k+1 WHERE id=5"),
    ("update-ignore", "UPDATE IGNORE sbtest1 SET k=k+1 WHERE id=5"),
    ("update-low-priority", "UPDATE LOW_PRIORITY sbtest1 SET k=k+1 WHERE id=5"),
    ("update-ignore-lowercase", "update ignore sbtest1 set c='x' where id=5"),
    ("delete-ignore", "DELETE IGNORE FROM sbtest1 WHERE id=5"),
    ("delete-low-priority-quick-ignore", "DELETE LOW_PRIORITY QUICK IGNORE FROM sbtest1 WHERE id=5"),
    ("delete-quick", "DELETE QUICK FROM sbtest1 WHERE id=5"),
    ("insert-low-priority-ignore", "INSERT LOW_PRIORITY IGNORE INTO sbtest1 (id, k) VALUES (5, 6)"),
    ("insert-delayed", "INSERT DELAYED INTO sbtest1 (id, k) VALUES (5, 6)"),
    ("insert-high-priority", "INSERT HIGH_PRIORITY INTO sbtest1 (id, k) VALUES (5, 6)"),
    ("replace-low-priority", "REPLACE LOW_PRIORITY INTO sbtest1 (id, k) VALUES (5, 6)"),
    ("update-ignore-multi", "UPDATE IGNORE sbtest1, sbtest2 SET sbtest1.k = sbtest2.k WHERE sbtest1.id = sbtest2.id AND sbtest2.id = 3"),
    ("backslash-literal", "UPDATE sbtest1 SET c='it\\'s a \\\\ test' WHERE id=5"),
    ("backslash-in-where", "UPDATE users SET status = 1 WHERE email = 'a\\'b@x.io'"),
    ("backslash-insert", "INSERT INTO users (email, name, created_at) VALUES ('q\\\\r@x.io', 'n', '2024-01-01')"),
    ("backslash-n", "UPDATE sbtest1 SET c='line1\\nline2' WHERE id=5"),
    ("double-quoted-string", "UPDATE users SET name = \"double\" WHERE email = \"d@x.io\""),
    ("doubled-quote", "UPDATE users SET name = 'O''Brien' WHERE id = 8"),
    ("backslash-pk-constant-new-k", "UPDATE sessions SET expire_date = '2024-01-01' WHERE session_key = 'a\\'b'"),
    ("quote-trap-is-one-literal", "UPDATE sbtest1 SET c = 'x''; DELETE FROM sbtest1; --' WHERE id = 5"),
    ("quote-trap-backslash", "UPDATE sbtest1 SET c = 'x\\'; DELETE FROM sbtest1; -- ' WHERE id = 5"),
]
for name, sql in gaps:
    case("gap", name, sql)

# executable comments, decided per flavor
execs = [
    ("exec-versionless", "UPDATE sbtest1 SET k=k+1 WHERE id=5 /*! AND k > 0 */", None),
    ("exec-50000-unknown", "DELETE /*!50000 IGNORE */ FROM sbtest1 WHERE id=5", None),
    ("exec-80000-unknown", "UPDATE sbtest1 SET c='x' WHERE id=5 /*!80000 AND k = 3 */", None),
    ("exec-80000-mariadb", "UPDATE sbtest1 SET c='x' WHERE id=5 /*!80000 AND k = 3 */", "10.11.6-MariaDB"),
    ("exec-80000-mysql57", "UPDATE sbtest1 SET c='x' WHERE id=5 /*!80000 AND k = 3 */", "5.7.44"),
    ("exec-80000-mysql80", "UPDATE sbtest1 SET c='x' WHERE id=5 /*!80000 AND k = 3 */", "8.0.36"),
    ("exec-mariadb-only-on-mariadb", "UPDATE sbtest1 SET c='x' WHERE id=5 /*M!100100 AND k = 3 */", "10.11.6-MariaDB"),
    ("exec-mariadb-only-on-mysql", "UPDATE sbtest1 SET c='x' WHERE id=5 /*M!100100 AND k = 3 */", "8.0.36"),
    ("exec-mariadb-only-unknown", "UPDATE sbtest1 SET c='x' WHERE id=5 /*M!100100 AND k = 3 */", None),
    ("exec-mariadb-future", "UPDATE sbtest1 SET c='x' WHERE id=5 /*M!999999 AND SLEEP(5) */", "10.11.6-MariaDB"),
    ("exec-hides-sleep", "UPDATE sbtest1 SET c='x' WHERE id=5 /*! AND SLEEP(1) = 0 */", None),
    ("exec-hides-second-statement", "UPDATE sbtest1 SET c='x' WHERE id=5 /*! ; DROP TABLE sbtest1 */", None),
    ("exec-string-with-terminator", "UPDATE sbtest1 SET c='x' WHERE id=5 /*! AND c <> '*/' */", None),
    ("exec-nested-comment", "UPDATE sbtest1 SET c='x' WHERE id=5 /*! AND k = 1 /* inner */ */", None),
    ("exec-unterminated", "UPDATE sbtest1 SET c='x' WHERE id=5 /*! AND k = 1", None),
    ("exec-false-with-junk", "UPDATE sbtest1 SET c='x' WHERE id=5 /*M!100100 (((( */", "8.0.36"),
    ("exec-table-name", "UPDATE /*!50000 sbtest1 */ SET c='x' WHERE id=5", None),
    ("plain-comment-with-code", "UPDATE sbtest1 SET c='x' WHERE id=5 /* ; DROP TABLE sbtest1 */", None),
    ("optimizer-hint-comment", "UPDATE /*+ NO_RANGE_OPTIMIZER(t1) */ sbtest1 SET c='x' WHERE id=5", None),
    ("exec-where-clause", "DELETE FROM sbtest1 /*!40000 WHERE id = 9 */", None),
]
for name, sql, flavor in execs:
    case("gap", name, sql, flavor=flavor)

# --- multi-table, INSERT ... SELECT, ODKU ----------------------------------------------------
multi = [
    ("join-update", "UPDATE sbtest1 JOIN sbtest2 ON sbtest1.id = sbtest2.id SET sbtest1.k = sbtest2.k WHERE sbtest2.id = 10"),
    ("join-update-both", "UPDATE sbtest1 a JOIN sbtest2 b ON a.id = b.id SET a.c = 'x', b.c = 'y' WHERE a.id = 10"),
    ("left-join-update", "UPDATE users u LEFT JOIN wp_posts p ON p.post_author = u.id SET u.status = 0 WHERE u.id = 4"),
    ("join-delete", "DELETE sbtest1 FROM sbtest1 JOIN sbtest2 ON sbtest1.id = sbtest2.id WHERE sbtest2.k = 5"),
    ("join-delete-two", "DELETE a, b FROM sbtest1 a JOIN sbtest2 b ON a.id = b.id WHERE a.id = 5"),
    ("delete-using", "DELETE FROM sbtest1 USING sbtest1 JOIN sbtest2 ON sbtest1.id = sbtest2.id WHERE sbtest2.id = 5"),
    ("join-no-usable", "UPDATE sbtest1 JOIN sbtest2 ON sbtest1.id = sbtest2.id SET sbtest1.c = 'x' WHERE sbtest2.c = 'y'"),
    ("tpcc-join", "UPDATE orders JOIN new_orders ON no_o_id = o_id AND no_d_id = o_d_id AND no_w_id = o_w_id SET o_carrier_id = 9 WHERE no_w_id = 1 AND no_d_id = 2"),
    ("join-unknown-table", "UPDATE sbtest1 JOIN nope ON sbtest1.id = nope.id SET sbtest1.c = 'x' WHERE sbtest1.id = 1"),
    ("insert-select", "INSERT INTO sbtest2 (id, k, c, pad) SELECT id, k, c, pad FROM sbtest1 WHERE id BETWEEN 1 AND 100"),
    ("insert-select-no-where", "INSERT INTO sbtest2 SELECT * FROM sbtest1"),
    ("insert-select-unindexed", "INSERT INTO sbtest2 SELECT * FROM sbtest1 WHERE c = 'x'"),
    ("insert-select-join", "INSERT INTO history (h_c_id, h_amount) SELECT c_id, c_balance FROM customer JOIN district ON d_w_id = c_w_id AND d_id = c_d_id WHERE c_w_id = 1 AND c_d_id = 2"),
    ("insert-select-paren", "INSERT INTO sbtest2 (SELECT * FROM sbtest1 WHERE id = 3)"),
    ("insert-select-union", "INSERT INTO sbtest2 SELECT * FROM sbtest1 WHERE id = 3 UNION SELECT * FROM sbtest1 WHERE id = 4"),
    ("insert-select-for-update", "INSERT INTO sbtest2 SELECT * FROM sbtest1 WHERE id = 3 FOR UPDATE"),
    ("insert-select-constants", "INSERT INTO sbtest2 (id, k) SELECT 5, 6"),
    ("insert-select-unknown-source", "INSERT INTO sbtest2 SELECT * FROM nope WHERE id = 3"),
    ("odku-values", "INSERT INTO users (id, email, name, created_at) VALUES (5, 'e@x.io', 'E', '2024-01-01') ON DUPLICATE KEY UPDATE name = VALUES(name)"),
    ("odku-alias", "INSERT INTO users (email, name, created_at) VALUES ('e@x.io', 'E', '2024-01-01') ON DUPLICATE KEY UPDATE login_count = login_count + 1"),
    ("odku-multi", "INSERT INTO sbtest1 (id, k, c, pad) VALUES (1, 2, 'c', 'p'), (3, 4, 'c', 'p') ON DUPLICATE KEY UPDATE k = k + 1"),
    ("replace-users", "REPLACE INTO users (id, email, name, created_at) VALUES (5, 'e@x.io', 'E', '2024-01-01')"),
    ("replace-set", "REPLACE INTO users SET id = 6, email = 'f@x.io', name = 'F', created_at = '2024-01-01'"),
    ("update-order-limit", "UPDATE users SET status = 1 WHERE status = 0 ORDER BY created_at LIMIT 10"),
    ("delete-order-limit", "DELETE FROM sessions WHERE expire_date < '2024-01-01' ORDER BY expire_date LIMIT 1000"),
    ("update-limit-no-order", "UPDATE users SET status = 1 WHERE status = 0 LIMIT 10"),
    ("update-pk-change", "UPDATE sbtest1 SET id = 999 WHERE id = 5"),
    ("update-pk-change-expr", "UPDATE sbtest1 SET id = id + 1000 WHERE id = 5"),
    ("update-set-same-column-twice", "UPDATE sbtest1 SET k = 1, k = k + 1 WHERE id = 5"),
    ("delete-wide-in", "DELETE FROM sbtest1 WHERE id IN (" + ", ".join(str(i) for i in range(1, 201)) + ")"),
    ("insert-wide", "INSERT INTO sbtest1 (id, k, c, pad) VALUES " + ", ".join(f"({i}, {i * 7}, 'c', 'p')" for i in range(1, 51))),
]
for name, sql in multi:
    case("multi", name, sql)

# --- skip reasons ----------------------------------------------------------------------------
skips = [
    ("ddl-create-table", "CREATE TABLE t2 (a int)"),
    ("ddl-alter", "ALTER TABLE sbtest1 ADD COLUMN x int"),
    ("ddl-drop", "DROP TABLE sbtest2"),
    ("ddl-create-index", "CREATE INDEX i ON sbtest1 (c)"),
    ("ddl-drop-index", "DROP INDEX k_1 ON sbtest1"),
    ("ddl-optimize", "OPTIMIZE TABLE sbtest1"),
    ("ddl-analyze", "ANALYZE TABLE sbtest1"),
    ("ddl-create-view", "CREATE VIEW v AS SELECT * FROM sbtest1"),
    ("ddl-create-trigger", "CREATE TRIGGER tr BEFORE INSERT ON sbtest1 FOR EACH ROW SET NEW.k = 1"),
    ("ddl-alter-database", "ALTER DATABASE app CHARACTER SET utf8mb4"),
    ("ddl-drop-database", "DROP DATABASE app"),
    ("ddl-create-table-select", "CREATE TABLE t3 AS SELECT * FROM sbtest1"),
    ("no-where-update", "UPDATE sbtest1 SET c = 'x'"),
    ("no-where-delete", "DELETE FROM sbtest1"),
    ("unindexed-where", "UPDATE sbtest1 SET k = 1 WHERE c = 'x'"),
    ("second-column-of-index", "UPDATE customer SET c_data = 'x' WHERE c_last = 'ABLE'"),
    ("function-on-column", "UPDATE sbtest1 SET c = 'x' WHERE id + 1 = 5"),
    ("not-in", "DELETE FROM sbtest1 WHERE id NOT IN (1, 2)"),
    ("not-equal", "DELETE FROM sbtest1 WHERE id <> 5"),
    ("like-leading-wildcard", "UPDATE users SET status = 1 WHERE email LIKE '%@x.io'"),
    ("or-unindexed-branch", "DELETE FROM users WHERE id = 5 OR bio = 'x'"),
    ("column-compare", "UPDATE sbtest1 SET c = 'x' WHERE id = k"),
    ("nondet-sleep", "UPDATE sbtest1 SET c = 'x' WHERE id = 5 AND SLEEP(1) = 0"),
    ("nondet-sleep-set", "UPDATE sbtest1 SET c = SLEEP(1) WHERE id = 5"),
    ("nondet-benchmark", "UPDATE sbtest1 SET c = 'x' WHERE id = BENCHMARK(1000000, MD5('a'))"),
    ("nondet-get-lock", "DELETE FROM sbtest1 WHERE id = 5 AND GET_LOCK('a', 10)"),
    ("nondet-release-lock", "DELETE FROM sbtest1 WHERE id = RELEASE_LOCK('a')"),
    ("nondet-load-file", "UPDATE sbtest1 SET c = LOAD_FILE('/etc/passwd') WHERE id = 5"),
    ("nondet-rand", "UPDATE sbtest1 SET k = FLOOR(RAND() * 100) WHERE id = 5"),
    ("nondet-uuid", "INSERT INTO sessions (session_key, expire_date) VALUES (UUID(), '2024-01-01')"),
    ("nondet-nextval", "INSERT INTO sbtest1 (id, k) VALUES (NEXTVAL(seq1), 5)"),
    ("nondet-next-value-for", "INSERT INTO sbtest1 (id, k) VALUES (NEXT VALUE FOR seq1, 5)"),
    ("nondet-lastval", "UPDATE sbtest1 SET k = LASTVAL(seq1) WHERE id = 5"),
    ("nondet-user-var-assign", "UPDATE sbtest1 SET k = @x := k + 1 WHERE id = 5"),
    ("nondet-user-var-assign-where", "DELETE FROM sbtest1 WHERE id = (@x := 5)"),
    ("nondet-master-pos-wait", "DELETE FROM sbtest1 WHERE id = MASTER_POS_WAIT('f', 4)"),
    ("nondet-udf", "UPDATE sbtest1 SET c = my_udf(c) WHERE id = 5"),
    ("nondet-stored-function", "UPDATE sbtest1 SET c = app.f(1) WHERE id = 5"),
    ("nondet-sysdate", "UPDATE users SET updated_at = SYSDATE() WHERE id = 5"),
    ("nondet-connection-id", "UPDATE users SET status = CONNECTION_ID() WHERE id = 5"),
    ("nondet-found-rows", "UPDATE users SET status = FOUND_ROWS() WHERE id = 5"),
    ("load-data", "LOAD DATA INFILE '/tmp/x.csv' INTO TABLE sbtest1"),
    ("load-data-local", "LOAD DATA LOCAL INFILE 'x.csv' REPLACE INTO TABLE sbtest1 FIELDS TERMINATED BY ','"),
    ("load-xml", "LOAD XML INFILE 'x.xml' INTO TABLE sbtest1"),
    ("unknown-table", "UPDATE nope SET c = 'x' WHERE id = 5"),
    ("unknown-db", "UPDATE nodb.sbtest1 SET c = 'x' WHERE id = 5"),
    ("unknown-column-set", "UPDATE sbtest1 SET nope = 'x' WHERE id = 5"),
    ("unknown-column-insert", "INSERT INTO sbtest1 (id, nope) VALUES (1, 2)"),
    ("unknown-table-insert", "INSERT INTO nope (a) VALUES (1)"),
    ("unknown-table-delete", "DELETE FROM nope WHERE id = 1"),
    ("unparsable-garbage", "UPDATE SET WHERE"),
    ("unparsable-truncated", "UPDATE sbtest1 SET c = 'x' WHERE id ="),
    ("unparsable-unterminated-string", "UPDATE sbtest1 SET c = 'x WHERE id = 5"),
    ("unparsable-unterminated-ident", "UPDATE `sbtest1 SET c = 'x' WHERE id = 5"),
    ("unparsable-placeholder", "UPDATE sbtest1 SET c = ? WHERE id = ?"),
    ("unparsable-two-statements", "DELETE FROM sbtest1 WHERE id = 1; DELETE FROM sbtest1 WHERE id = 2"),
    ("unparsable-not-a-keyword", "'just a string'"),
    ("unparsable-mod-operator", "UPDATE sbtest1 SET k = k mod 2 WHERE id = 5"),
    ("unparsable-derived-update", "UPDATE (SELECT id FROM sbtest1) x SET x.id = 4"),
    ("unparsable-with-cte-update", "WITH x AS (SELECT 1) UPDATE sbtest1 SET k = 1 WHERE id = 1"),
    ("notdml-select", "SELECT * FROM sbtest1 WHERE id = 5"),
    ("notdml-select-for-update", "SELECT * FROM sbtest1 WHERE id = 5 FOR UPDATE"),
    ("notdml-select-into", "SELECT c INTO @v FROM sbtest1 WHERE id = 5"),
    ("notdml-set", "SET NAMES utf8mb4"),
    ("notdml-show", "SHOW TABLES"),
    ("notdml-use", "USE app"),
    ("notdml-lock", "LOCK TABLES sbtest1 WRITE"),
    ("notdml-unlock", "UNLOCK TABLES"),
    ("notdml-start-transaction", "START TRANSACTION READ WRITE"),
    ("notdml-empty", ";"),
    ("notdml-comment-only", "/* nothing here */"),
    ("notdml-with-select", "WITH x AS (SELECT 1) SELECT * FROM x"),
    ("notdml-paren-select", "(SELECT 1)"),
    ("notdml-prepare", "PREPARE s FROM 'UPDATE sbtest1 SET k = 1'"),
    ("notdml-handler", "HANDLER sbtest1 OPEN"),
    ("too-large-nesting", "UPDATE sbtest1 SET c = 'x' WHERE id = " + "(" * 40 + "1" + ")" * 40),
    ("too-large-unbalanced", "UPDATE sbtest1 SET c = 'x' WHERE id = " + "(" * 200),
    ("nontransactional-myisam-insert", "INSERT INTO legacy_log (msg) VALUES ('x')"),
    ("nontransactional-myisam-update", "UPDATE legacy_log SET msg = 'y' WHERE id = 3"),
    ("nothing-history-no-pk-no-index", "INSERT INTO history (h_amount) VALUES (1.00)"),
    ("nothing-all-default", "INSERT INTO sbtest1 () VALUES ()"),
    ("unsafe-subquery-lock", "UPDATE sbtest1 SET c = 'x' WHERE id IN (SELECT id FROM sbtest2 WHERE id = 5 FOR UPDATE)"),
    ("unsafe-subquery-share", "DELETE FROM sbtest1 WHERE id = (SELECT id FROM sbtest2 WHERE id = 5 LOCK IN SHARE MODE)"),
    ("unsafe-subquery-into", "DELETE FROM sbtest1 WHERE id = (SELECT id INTO @x FROM sbtest2 WHERE id = 5)"),
    ("schema-drift-insert", "INSERT INTO sbtest1 VALUES (1, 2, 'c')"),
]
for name, sql in skips:
    case("skip", name, sql)

# temporary tables: the statement creating it first, then the DML
case("skip", "temp-table-update", "CREATE TEMPORARY TABLE tmp1 (id int primary key)\nUPDATE tmp1 SET id = 2 WHERE id = 1")
case("skip", "temp-table-create", "CREATE TEMPORARY TABLE tmp1 (id int primary key)")
case("skip", "temp-table-shadows", "CREATE TEMPORARY TABLE sbtest1 (id int primary key)\nUPDATE sbtest1 SET k = k + 1 WHERE id = 1")
case("skip", "temp-table-join", "CREATE TEMPORARY TABLE tmp2 (id int)\nUPDATE sbtest1 JOIN tmp2 ON sbtest1.id = tmp2.id SET sbtest1.k = 1 WHERE sbtest1.id = 3")
case("skip", "temp-table-dropped", "CREATE TEMPORARY TABLE tmp3 (id int)\nDROP TEMPORARY TABLE tmp3\nUPDATE sbtest1 SET k = k + 1 WHERE id = 1")
case("skip", "temp-table-insert-select", "CREATE TEMPORARY TABLE tmp4 (id int)\nINSERT INTO sbtest1 (id, k) SELECT id, 1 FROM tmp4 WHERE id = 1")

# --- locking modes ---------------------------------------------------------------------------
locking = [
    ("update", "UPDATE sbtest1 SET k=k+1 WHERE id=5"),
    ("update-modifiers", "UPDATE LOW_PRIORITY IGNORE sbtest1 SET c='x' WHERE id=5"),
    ("delete", "DELETE FROM sbtest1 WHERE id=5"),
    ("delete-star", "DELETE sbtest1.* FROM sbtest1 JOIN sbtest2 ON sbtest1.id = sbtest2.id WHERE sbtest2.id = 5"),
    ("insert", "INSERT INTO sbtest1 (id, k, c, pad) VALUES (5, 6, 'c', 'p')"),
    ("insert-exec-comment", "INSERT /*!50000 IGNORE */ INTO sbtest1 (id, k) VALUES (5, 6)"),
    ("insert-multi-row", "INSERT INTO sbtest1 (id, k, c, pad) VALUES (5, 6, 'c', 'p'), (7, 8, 'c', 'p')"),
    # No explicit key: the generated one is not known, so the whole table.
    ("insert-auto-increment", "INSERT INTO sbtest1 (k, c, pad) VALUES (6, 'c', 'p')"),
    # Another unique index: the duplicate check may lock someone else's row, so the whole table.
    ("insert-unique-secondary", "INSERT INTO users (id, email, created_at) VALUES (5, 'a@b', '2024-01-01')"),
    ("insert-select", "INSERT INTO sbtest2 (id, k, c, pad) SELECT id, k, c, pad FROM sbtest1 WHERE id = 5"),
    ("myisam", "UPDATE legacy_log SET msg = 'x' WHERE id = 5"),
    ("myisam-insert", "INSERT INTO legacy_log (msg) VALUES ('x')"),
    ("no-where", "DELETE FROM sbtest1"),
    ("commit", "COMMIT"),
    ("ddl", "ALTER TABLE sbtest1 ADD x int"),
    ("sleep", "UPDATE sbtest1 SET c = 'x' WHERE id = 5 AND SLEEP(1) = 0"),
    ("unknown", "UPDATE nope SET c = 'x' WHERE id = 5"),
    ("comma-update", "UPDATE sbtest1, sbtest2 SET sbtest1.c = 'x' WHERE sbtest1.id = sbtest2.id AND sbtest2.id = 5"),
    ("backslash", "UPDATE sbtest1 SET c='a\\'b' WHERE id=5"),
]
for mode in ("rollback", "fake-changes"):
    for name, sql in locking:
        case("locking", f"{mode}-{name}", sql, mode=mode)


# --- cases with their own schema.sql ---------------------------------------------------------
GEN = ("CREATE TABLE g (id int NOT NULL PRIMARY KEY, a int, b int AS (a * 2) VIRTUAL, "
       "c varchar(10), KEY b_idx (b), KEY c_idx (c)) ENGINE=InnoDB;")
case("schema", "generated-column-index", "UPDATE g SET a = 5 WHERE id = 1", schema=GEN)
case("schema", "generated-column-untouched", "UPDATE g SET c = 'x' WHERE id = 1", schema=GEN)
case("schema", "generated-column-delete", "DELETE FROM g WHERE id = 1", schema=GEN)
UNIQ = ("CREATE TABLE u (code varchar(20) NOT NULL, v int, note varchar(50), "
        "UNIQUE KEY code (code), KEY v_idx (v)) ENGINE=InnoDB;")
case("schema", "unique-not-null-no-pk-update", "UPDATE u SET v = 3 WHERE code = 'a'", schema=UNIQ)
case("schema", "unique-not-null-no-pk-insert", "INSERT INTO u (code, v) VALUES ('a', 1)", schema=UNIQ)
CI = ("CREATE TABLE ci (code varchar(20) COLLATE utf8mb4_general_ci NOT NULL, n int, "
      "PRIMARY KEY (code)) ENGINE=InnoDB;")
case("schema", "ci-key-upper", "UPDATE ci SET n = 1 WHERE code = 'ABC'", schema=CI)
case("schema", "ci-key-lower", "UPDATE ci SET n = 1 WHERE code = 'abc'", schema=CI)
BIN = ("CREATE TABLE bin (code varbinary(20) NOT NULL, n int, PRIMARY KEY (code)) ENGINE=InnoDB;")
case("schema", "binary-key-upper", "UPDATE bin SET n = 1 WHERE code = 'ABC'", schema=BIN)
DEC = ("CREATE TABLE d (id decimal(10,2) NOT NULL, n int, m int, PRIMARY KEY (id), KEY m_idx (m)) "
       "ENGINE=InnoDB;")
case("schema", "decimal-key", "UPDATE d SET m = m + 1 WHERE id = 1.50", schema=DEC)
case("schema", "decimal-key-int-literal", "DELETE FROM d WHERE id = 2", schema=DEC)
NOENG = "CREATE TABLE ne (id int NOT NULL PRIMARY KEY, v int, KEY v_idx (v));"
case("schema", "no-engine-select", "UPDATE ne SET v = 1 WHERE id = 1", schema=NOENG)
case("schema", "no-engine-rollback", "UPDATE ne SET v = 1 WHERE id = 1", mode="rollback", schema=NOENG)
TS = ("CREATE TABLE events (day date NOT NULL, at datetime(6) NOT NULL, id int NOT NULL, v int, "
      "PRIMARY KEY (day, at, id), KEY v_idx (v)) ENGINE=InnoDB;")
case("schema", "temporal-pk-pinned", "DELETE FROM events WHERE day = '2024-05-01' AND at = '2024-05-01 10:00:00.5' AND id = 3", schema=TS)
case("schema", "temporal-pk-relaxed-format", "DELETE FROM events WHERE day = '2024-5-1' AND at = '2024-05-01 10:00:00' AND id = 3", schema=TS)
case("schema", "temporal-pk-insert", "INSERT INTO events (day, at, id, v) VALUES ('2024-05-01', '2024-05-01 10:00:00', 1, 7)", schema=TS)
ARIA = "CREATE TABLE ar (id int NOT NULL PRIMARY KEY, v int) ENGINE=Aria;"
case("schema", "aria-select", "UPDATE ar SET v = 1 WHERE id = 1", schema=ARIA)
QUAL = ("CREATE TABLE other.q (id bigint unsigned NOT NULL PRIMARY KEY, v int, KEY v (v)) "
        "ENGINE=InnoDB;")
case("schema", "qualified-other-db", "UPDATE other.q SET v = v - 1 WHERE id = 18446744073709551615", schema=QUAL)
case("schema", "qualified-other-db-unqualified", "UPDATE q SET v = 1 WHERE id = 1", schema=QUAL)


def write():
    seen = set()
    for i, (cat, name, sql, mode, flavor, schema) in enumerate(CASES):
        folder = f"{cat}-{name}"
        assert folder not in seen, folder
        seen.add(folder)
        d = os.path.join(ROOT, folder)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "input.sql"), "w") as f:
            f.write(sql.rstrip("\n") + "\n")
        for fname, val in (("mode", mode), ("flavor", flavor), ("schema.sql", schema)):
            p = os.path.join(d, fname)
            if val:
                with open(p, "w") as f:
                    f.write(val + "\n")
            elif os.path.exists(p):
                os.remove(p)
    print(f"{len(CASES)} cases")


if __name__ == "__main__":
    write()
