-- Student optimiser became a sweep axis; NULL means the config's default.
ALTER TABLE trial ADD COLUMN optimiser VARCHAR(32);
