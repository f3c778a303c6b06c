-- One row per sweep to lock while a CKA matrix is checked and stored: workers measuring at once keep the first one.
-- The sweep's own row cannot serve: on a sweep's first run it is written after CKA is measured.
CREATE TABLE cka_lock (
    sweep      VARCHAR(200) PRIMARY KEY,
    touched_at TIMESTAMP
);
