-- Asynchronous successive halving (sweep.search.strategy: asha). A configuration is every
-- seed of one setting: trials of one configuration share config_key, are claimed together,
-- and are promoted or pruned together, so paired comparisons stay paired.
ALTER TABLE trial ADD COLUMN config_key VARCHAR(32);
-- For status 'pruned': the rung (0-based) at which the configuration stopped.
ALTER TABLE trial ADD COLUMN pruned_rung INT;
-- One row per configuration and rung it reached: the decision taken when it arrived,
-- against the configurations that had reached that rung before it (arrival = 1-based order).
CREATE TABLE asha_rung (
    sweep        VARCHAR(200) NOT NULL,
    config_key   VARCHAR(32) NOT NULL,
    rung         INT NOT NULL,
    epoch        INT NOT NULL,
    arrival      INT NOT NULL,
    metric_value DOUBLE PRECISION,
    promoted     BOOLEAN NOT NULL,
    decided_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (sweep, config_key, rung)
);
