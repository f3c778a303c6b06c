-- A few test examples' teacher logits, so the report can show what temperature reveals.
CREATE TABLE teacher_sample (
    teacher_key VARCHAR(64) NOT NULL,
    idx         INT NOT NULL,
    label       INT NOT NULL,
    logits      TEXT NOT NULL,
    PRIMARY KEY (teacher_key, idx)
);
