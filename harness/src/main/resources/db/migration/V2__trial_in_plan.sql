-- Trials of earlier versions of a sweep's config stay in the ledger but leave the plan:
-- reports, exports and status read only trials of the current plan.
ALTER TABLE trial ADD COLUMN in_plan BOOLEAN DEFAULT TRUE NOT NULL;
