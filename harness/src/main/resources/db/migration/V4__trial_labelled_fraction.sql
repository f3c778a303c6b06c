-- Transfer-data trials: share of training labels used; NULL means all.
ALTER TABLE trial ADD COLUMN labelled_fraction DOUBLE PRECISION;
