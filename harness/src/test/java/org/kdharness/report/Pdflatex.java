package org.kdharness.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Compiles exported tables the way a paper would include them, for the report tests. */
final class Pdflatex {

    private Pdflatex() {
    }

    /**
     * Writes {@code body} into an article with booktabs as {@code dir/name.tex}, compiles it with
     * {@code pdflatex -halt-on-error} under a timeout and fails on any error or overfull box;
     * skipped where pdflatex is missing, except in CI ({@link ReportTest#requireOrSkip}).
     */
    static void compile(Path dir, String name, String body) throws Exception {
        ReportTest.requireOrSkip("pdflatex");
        Path tex = dir.resolve(name + ".tex");
        Files.writeString(tex, "\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n" + body + "\\end{document}\n");
        Process p = new ProcessBuilder("pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.getFileName().toString())
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "pdflatex did not finish: " + name);
        assertEquals(0, p.exitValue(), name + ":\n" + log);
        assertTrue(!log.contains("Overfull \\hbox"), name + ": a table is wider than the text:\n" + log);
        assertTrue(Files.size(dir.resolve(name + ".pdf")) > 1000, name + ".pdf");
    }
}
