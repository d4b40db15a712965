INSERT INTO `users` (`email`, `name`, `status`, `created_at`, `updated_at`, `login_count`, `bio`) VALUES ('a@example.com', 'A', 0, '2024-01-01 00:00:00', NULL, 0, '')
