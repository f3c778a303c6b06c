package org.kdharness;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.util.ArrayList;
import java.util.List;

/**
 * Names every skipped test and why on the console, then lists them once more when the run ends.
 *
 * <p>Why: Maven's summary says only "Skipped: 4"; the reason ("no PostgreSQL: set KD_TEST_PG_URL", "pdflatex not
 * installed") was in the surefire XML alone, so a reader could not tell a missing tool from a broken test. Registered
 * through {@code META-INF/services}, as the JUnit Platform launcher finds listeners.
 */
public final class SkippedTestsListener implements TestExecutionListener {

    private final List<String> skipped = new ArrayList<>();

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        note(test, reason);
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            note(test, result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        if (!skipped.isEmpty()) {
            System.out.println("[kd] " + skipped.size() + " test(s) skipped:");
            skipped.forEach(s -> System.out.println("[kd]   " + s));
        }
    }

    private void note(TestIdentifier test, String reason) {
        String line = name(test) + ": " + reason;
        skipped.add(line);
        System.out.println("[kd] SKIPPED " + line);
    }

    /** {@code Class.method}, from the test's source when it has one, else its display name. */
    private static String name(TestIdentifier test) {
        return test.getSource().map(s -> s instanceof org.junit.platform.engine.support.descriptor.MethodSource m
                ? m.getClassName().substring(m.getClassName().lastIndexOf('.') + 1) + "." + m.getMethodName()
                : s instanceof org.junit.platform.engine.support.descriptor.ClassSource c ? c.getClassName() : test.getDisplayName())
                .orElse(test.getDisplayName());
    }
}
