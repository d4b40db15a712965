INSERT /*!50000 IGNORE */ INTO `users` (`email`, `name`, `created_at`) VALUES ('z@z.z', 'Z', '2024-01-01')
