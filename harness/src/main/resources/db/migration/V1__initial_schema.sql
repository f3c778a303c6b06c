-- kd-harness metrics store. Portable SQL (H2, PostgreSQL).
CREATE TABLE sweep (
    name        VARCHAR(200) PRIMARY KEY,
    config_yaml TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- One row per `kd run` process: provenance of how results were produced.
CREATE TABLE run (
    id              VARCHAR(64) PRIMARY KEY,
    sweep           VARCHAR(200) NOT NULL REFERENCES sweep(name),
    worker          VARCHAR(200) NOT NULL,
    started_at      TIMESTAMP NOT NULL,
    finished_at     TIMESTAMP,
    backend         VARCHAR(200),
    device          VARCHAR(500),
    threads         INT,
    parallel_trials INT,
    java_version    VARCHAR(100),
    git_commit      VARCHAR(64),
    libraries       TEXT,
    teacher_key     VARCHAR(64),
    data_source     TEXT
);

CREATE TABLE teacher (
    teacher_key   VARCHAR(64) PRIMARY KEY,
    spec_json     TEXT NOT NULL,
    test_accuracy DOUBLE PRECISION,
    params        BIGINT,
    train_seconds DOUBLE PRECISION
);

CREATE TABLE trial (
    sweep        VARCHAR(200) NOT NULL REFERENCES sweep(name),
    trial_id     VARCHAR(32) NOT NULL,
    ordinal      INT NOT NULL,
    method       VARCHAR(32) NOT NULL,
    temperature  DOUBLE PRECISION,
    alpha        DOUBLE PRECISION,
    w_feature    DOUBLE PRECISION,
    w_response   DOUBLE PRECISION,
    mapping      VARCHAR(500),
    distance     VARCHAR(32),
    seed         BIGINT NOT NULL,
    spec_json    TEXT NOT NULL,
    status       VARCHAR(16) NOT NULL,
    reason       TEXT,
    worker       VARCHAR(200),
    attempts     INT NOT NULL DEFAULT 0,
    claimed_at   TIMESTAMP,
    heartbeat_at TIMESTAMP,
    finished_at  TIMESTAMP,
    epochs       INT,
    seconds      DOUBLE PRECISION,
    PRIMARY KEY (sweep, trial_id)
);

CREATE TABLE trial_metric (
    sweep    VARCHAR(200) NOT NULL,
    trial_id VARCHAR(32) NOT NULL,
    name     VARCHAR(100) NOT NULL,
    metric_value DOUBLE PRECISION,
    PRIMARY KEY (sweep, trial_id, name)
);

CREATE TABLE epoch_metric (
    sweep    VARCHAR(200) NOT NULL,
    trial_id VARCHAR(32) NOT NULL,
    epoch    INT NOT NULL,
    name     VARCHAR(100) NOT NULL,
    metric_value DOUBLE PRECISION,
    PRIMARY KEY (sweep, trial_id, epoch, name)
);
