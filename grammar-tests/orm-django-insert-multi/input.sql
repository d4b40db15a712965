INSERT INTO `users` (`email`, `name`, `status`, `created_at`) VALUES ('a@x.io', 'A', 1, '2024-01-01'), ('b@x.io', 'B', 1, '2024-01-01')
