-- A backstop for the serialised decisions: two configurations can never both be the n-th to
-- reach a rung (a second one would fail its transaction, and retry, instead of sharing a rank).
ALTER TABLE asha_rung ADD CONSTRAINT asha_rung_arrival UNIQUE (sweep, rung, arrival);
