-- Student architecture and learning rate became sweep axes; NULL means the config's default.
ALTER TABLE trial ADD COLUMN student VARCHAR(500);
ALTER TABLE trial ADD COLUMN learning_rate DOUBLE PRECISION;
