-- Linear CKA between student and teacher layers, measured for cka-top-k mapping suggestions.
CREATE TABLE cka (
    sweep         VARCHAR(200) NOT NULL,
    student       VARCHAR(500) NOT NULL,
    student_layer INT NOT NULL,
    teacher_layer INT NOT NULL,
    cka_value     DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (sweep, student, student_layer, teacher_layer)
);
