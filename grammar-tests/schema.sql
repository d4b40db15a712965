-- Shared schema for grammar-tests (a case may override it with its own schema.sql).
-- Unqualified tables belong to database `app` (the default database of every case).

-- sysbench
CREATE TABLE `sbtest1` (
  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `k` int(10) unsigned NOT NULL DEFAULT 0,
  `c` char(120) NOT NULL DEFAULT '',
  `pad` char(60) NOT NULL DEFAULT '',
  PRIMARY KEY (`id`),
  KEY `k_1` (`k`)
) ENGINE=InnoDB;
CREATE TABLE `sbtest2` (
  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `k` int(10) unsigned NOT NULL DEFAULT 0,
  `c` char(120) NOT NULL DEFAULT '',
  `pad` char(60) NOT NULL DEFAULT '',
  PRIMARY KEY (`id`),
  KEY `k_2` (`k`)
) ENGINE=InnoDB;

-- TPC-C style
CREATE TABLE warehouse (
  w_id smallint NOT NULL, w_name varchar(10), w_street_1 varchar(20), w_city varchar(20),
  w_state char(2), w_zip char(9), w_tax decimal(4,2), w_ytd decimal(12,2),
  PRIMARY KEY (w_id)
) ENGINE=InnoDB;
CREATE TABLE district (
  d_id tinyint NOT NULL, d_w_id smallint NOT NULL, d_name varchar(10), d_street_1 varchar(20),
  d_city varchar(20), d_tax decimal(4,2), d_ytd decimal(12,2), d_next_o_id int,
  PRIMARY KEY (d_w_id, d_id)
) ENGINE=InnoDB;
CREATE TABLE customer (
  c_id int NOT NULL, c_d_id tinyint NOT NULL, c_w_id smallint NOT NULL, c_first varchar(16),
  c_middle char(2), c_last varchar(16), c_phone char(16), c_since datetime, c_credit char(2),
  c_credit_lim bigint, c_discount decimal(4,2), c_balance decimal(12,2),
  c_ytd_payment decimal(12,2), c_payment_cnt smallint, c_delivery_cnt smallint,
  c_data text,
  PRIMARY KEY (c_w_id, c_d_id, c_id),
  KEY idx_customer (c_w_id, c_d_id, c_last, c_first)
) ENGINE=InnoDB;
CREATE TABLE history (
  h_c_id int, h_c_d_id tinyint, h_c_w_id smallint, h_d_id tinyint, h_w_id smallint,
  h_date datetime, h_amount decimal(6,2), h_data varchar(24)
) ENGINE=InnoDB;
CREATE TABLE new_orders (
  no_o_id int NOT NULL, no_d_id tinyint NOT NULL, no_w_id smallint NOT NULL,
  PRIMARY KEY (no_w_id, no_d_id, no_o_id)
) ENGINE=InnoDB;
CREATE TABLE orders (
  o_id int NOT NULL, o_d_id tinyint NOT NULL, o_w_id smallint NOT NULL, o_c_id int,
  o_entry_d datetime, o_carrier_id tinyint, o_ol_cnt tinyint, o_all_local tinyint,
  PRIMARY KEY (o_w_id, o_d_id, o_id),
  KEY idx_orders (o_w_id, o_d_id, o_c_id, o_id)
) ENGINE=InnoDB;
CREATE TABLE order_line (
  ol_o_id int NOT NULL, ol_d_id tinyint NOT NULL, ol_w_id smallint NOT NULL,
  ol_number tinyint NOT NULL, ol_i_id int, ol_supply_w_id smallint, ol_delivery_d datetime,
  ol_quantity tinyint, ol_amount decimal(6,2), ol_dist_info char(24),
  PRIMARY KEY (ol_w_id, ol_d_id, ol_o_id, ol_number)
) ENGINE=InnoDB;
CREATE TABLE item (
  i_id int NOT NULL, i_im_id int, i_name varchar(24), i_price decimal(5,2), i_data varchar(50),
  PRIMARY KEY (i_id)
) ENGINE=InnoDB;
CREATE TABLE stock (
  s_i_id int NOT NULL, s_w_id smallint NOT NULL, s_quantity smallint, s_dist_01 char(24),
  s_ytd decimal(8,0), s_order_cnt smallint, s_remote_cnt smallint, s_data varchar(50),
  PRIMARY KEY (s_w_id, s_i_id),
  KEY fkey_stock_2 (s_i_id)
) ENGINE=InnoDB;

-- ORM / web application
CREATE TABLE users (
  id bigint unsigned NOT NULL AUTO_INCREMENT,
  email varchar(190) NOT NULL,
  name varchar(100) NOT NULL DEFAULT '',
  status tinyint NOT NULL DEFAULT 0,
  created_at datetime NOT NULL,
  updated_at datetime NULL,
  login_count int NOT NULL DEFAULT 0,
  bio text,
  PRIMARY KEY (id),
  UNIQUE KEY uniq_email (email),
  KEY idx_status_created (status, created_at)
) ENGINE=InnoDB;
CREATE TABLE wp_posts (
  ID bigint unsigned NOT NULL AUTO_INCREMENT,
  post_author bigint unsigned NOT NULL DEFAULT 0,
  post_date datetime NOT NULL,
  post_content longtext NOT NULL,
  post_title text NOT NULL,
  post_status varchar(20) NOT NULL DEFAULT 'publish',
  post_name varchar(200) NOT NULL DEFAULT '',
  post_type varchar(20) NOT NULL DEFAULT 'post',
  comment_count bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (ID),
  KEY post_name (post_name(191)),
  KEY type_status_date (post_type, post_status, post_date, ID),
  KEY post_author (post_author)
) ENGINE=InnoDB;
CREATE TABLE wp_postmeta (
  meta_id bigint unsigned NOT NULL AUTO_INCREMENT,
  post_id bigint unsigned NOT NULL DEFAULT 0,
  meta_key varchar(255) DEFAULT NULL,
  meta_value longtext,
  PRIMARY KEY (meta_id),
  KEY post_id (post_id),
  KEY meta_key (meta_key(191))
) ENGINE=InnoDB;
CREATE TABLE sessions (
  session_key char(40) NOT NULL,
  user_id bigint unsigned,
  expire_date datetime NOT NULL,
  session_data text,
  PRIMARY KEY (session_key),
  KEY expire_idx (expire_date)
) ENGINE=InnoDB;

-- special cases
CREATE TABLE counters (
  name varchar(64) NOT NULL,
  bucket int NOT NULL,
  value bigint NOT NULL DEFAULT 0,
  note varchar(32),
  PRIMARY KEY (name, bucket),
  UNIQUE KEY uniq_value_note (value, note)
) ENGINE=InnoDB;
CREATE TABLE legacy_log (
  id int NOT NULL AUTO_INCREMENT,
  msg varchar(200),
  PRIMARY KEY (id),
  KEY msg_idx (msg)
) ENGINE=MyISAM;
CREATE TABLE nopk (
  a int, b int, c varchar(10),
  KEY a_idx (a)
) ENGINE=InnoDB;
CREATE TABLE `order` (
  `key` int NOT NULL,
  `select` int NOT NULL,
  `desc` varchar(20),
  PRIMARY KEY (`key`),
  KEY `select_idx` (`select`)
) ENGINE=InnoDB;

USE shop;
CREATE TABLE products (
  id int NOT NULL AUTO_INCREMENT,
  sku varchar(32) NOT NULL,
  price decimal(10,2) NOT NULL,
  stock int NOT NULL DEFAULT 0,
  category_id int NOT NULL,
  title varchar(200),
  PRIMARY KEY (id),
  UNIQUE KEY sku (sku),
  KEY category_idx (category_id, price)
) ENGINE=InnoDB;
CREATE TABLE cart_items (
  cart_id bigint NOT NULL,
  product_id int NOT NULL,
  qty int NOT NULL DEFAULT 1,
  added_at datetime,
  PRIMARY KEY (cart_id, product_id),
  KEY product_idx (product_id)
) ENGINE=InnoDB;
