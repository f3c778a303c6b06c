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
        // output to a file, so that a looping pdflatex (it once looped on a setting prefix) meets the timeout
        Path out = dir.resolve(name + ".out.log");
        Process p = new ProcessBuilder("pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.getFileName().toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("pdflatex did not finish in 120 s: " + name + "\n" + Files.readString(out));
        }
        String log = Files.readString(out);
        assertEquals(0, p.exitValue(), name + ":\n" + log);
        assertTrue(!log.contains("Overfull \\hbox"), name + ": a table is wider than the text:\n" + log);
        assertTrue(Files.size(dir.resolve(name + ".pdf")) > 1000, name + ".pdf");
    }
}
