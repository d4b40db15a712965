INSERT INTO `users` (`email`, `name`, `created_at`) VALUES ('r@x.io', 'R', '2024-05-05 05:05:05')
