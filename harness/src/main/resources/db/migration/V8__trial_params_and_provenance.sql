-- Methods declare their own numeric axes (e.g. DKD's dkd_alpha, dkd_beta): stored as
-- 'name=value,...' in name order, NULL for methods without any. Adding a method with new
-- parameters needs no further column.
ALTER TABLE trial ADD COLUMN params VARCHAR(500);
-- Provenance of a finished trial: the run (process) that produced it and how its steps
-- were computed ('dense' = hand-written gradients, 'graph' = SameDiff autodiff).
ALTER TABLE trial ADD COLUMN run_id VARCHAR(64);
ALTER TABLE trial ADD COLUMN engine VARCHAR(16);
