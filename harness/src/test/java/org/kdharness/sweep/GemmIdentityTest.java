package org.kdharness.sweep;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The GEMM identity is the loaded libraries' own account, and the directly timed product is a correct one. */
class GemmIdentityTest {

    @Test
    void describesTheLoadedOpenBlasAndBothRates() {
        assumeTrue(Nd4j.getEnvironment().isCPU(), "the CPU backend's libraries");
        GemmIdentity id = GemmIdentity.measure(128, 1);
        // the tests load the -onednn natives (surefire's argLine), so ND4J's mmul runs on oneDNN
        assertEquals("oneDNN", id.route());
        assertTrue(id.openblas().matches("OpenBLAS 0\\.3\\.\\d+ .*"), id.openblas());
        assertTrue(id.openblasFile().contains("libopenblas"), id.openblasFile());
        String forced = System.getenv("OPENBLAS_CORETYPE");
        if (forced != null) {
            // OpenBLAS reports the kernel set the environment forced
            assertTrue(id.openblasCore().toLowerCase(Locale.ROOT).startsWith(forced.toLowerCase(Locale.ROOT)), id.openblasCore());
        } else {
            assertTrue(!id.openblasCore().isEmpty());
        }
        assertTrue(id.gflops() > 0.1 && Double.isFinite(id.gflops()), "rate " + id.gflops());
        assertTrue(id.openblasGflops() > 0.1 && Double.isFinite(id.openblasGflops()), "rate " + id.openblasGflops());
        assertTrue(id.summary().startsWith("GEMM oneDNN ") && id.summary().contains(id.openblasShort()), id.summary());
    }

    @Test
    void theDirectOpenBlasCallComputesTheProduct() {
        assumeTrue(Nd4j.getEnvironment().isCPU(), "the CPU backend's libraries");
        INDArray a = Nd4j.rand(DataType.FLOAT, 37, 53), b = Nd4j.rand(DataType.FLOAT, 53, 29);
        INDArray c = Nd4j.zeros(DataType.FLOAT, 37, 29);
        GemmIdentity.directProduct(a, b, c);
        double err = a.mmul(b).sub(c).amaxNumber().doubleValue();
        assertTrue(err < 1e-4, "max error " + err);
        assertTrue(c.amaxNumber().doubleValue() > 1, "a non-trivial product");
    }
}
