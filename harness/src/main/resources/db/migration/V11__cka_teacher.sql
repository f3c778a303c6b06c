-- The teacher a CKA matrix was measured against: a stored matrix is reused for a sweep only with the same teacher
-- (an imported file retrained, other taps, block taps change what the matrix's columns are). NULL: measured before.
ALTER TABLE cka ADD COLUMN teacher_key VARCHAR(64);
