package org.kdharness.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cuda build's GPU check, on nvidia-smi output as drivers print it (no GPU needed). */
class GpuCheckTest {

    private static final String MACHINE = """
            0, Tesla V100-SXM2-16GB, 7.0
            1, NVIDIA H100 80GB HBM3, 9.0
            2, NVIDIA L4, 8.9
            3, Tesla K40m, 3.5
            """;

    @Test
    void readsIndexNameAndCapability() {
        List<GpuCheck.Gpu> gpus = GpuCheck.parse(MACHINE + "Field \"compute_cap\" is not a valid field to query.\n");
        assertEquals(4, gpus.size(), "the error line is skipped");
        assertEquals(new GpuCheck.Gpu(1, "NVIDIA H100 80GB HBM3", 9, 0), gpus.get(1));
    }

    @Test
    void capabilitiesTheNativesRunOn() {
        assertTrue(new GpuCheck.Gpu(0, "K80", 3, 7).supported(), "3.7 has machine code");
        assertFalse(new GpuCheck.Gpu(0, "K40", 3, 5).supported(), "3.5 is below the oldest code");
        assertTrue(new GpuCheck.Gpu(0, "A100", 8, 0).supported());
        assertTrue(new GpuCheck.Gpu(0, "L4", 8, 9).supported(), "Ada runs the 8.6 code");
        assertFalse(new GpuCheck.Gpu(0, "H100", 9, 0).supported(), "no PTX: Hopper has no code to run");
        assertFalse(new GpuCheck.Gpu(0, "B200", 10, 0).supported());
    }

    @Test
    void namesTheFirstUnsupportedGpuARunWouldUse() {
        List<GpuCheck.Gpu> gpus = GpuCheck.parse(MACHINE);
        String all = GpuCheck.problem(gpus, null, false).orElseThrow();
        assertTrue(all.startsWith("GPU 1 (NVIDIA H100 80GB HBM3) has compute capability 9.0; the cuda build runs on 3.7 and 5.0-8.9"), all);
        assertTrue(all.contains("KD_BACKEND=cpu"), all);
        // indices select by nvidia-smi's numbering only under CUDA_DEVICE_ORDER=PCI_BUS_ID (CUDA's default order is fastest first)
        assertTrue(GpuCheck.problem(gpus, "0, 2", true).isEmpty(), "the V100 and the L4 alone are fine");
        assertTrue(GpuCheck.problem(gpus, "0, 2", false).orElseThrow().startsWith("GPU 1 "), "another order: every GPU counts");
        assertTrue(GpuCheck.problem(gpus, "3", true).orElseThrow().startsWith("GPU 3 (Tesla K40m) has compute capability 3.5"));
        assertTrue(GpuCheck.problem(gpus, "7", true).orElseThrow().contains("no usable GPU (CUDA_VISIBLE_DEVICES=7)"));
        assertTrue(GpuCheck.problem(gpus, "", true).orElseThrow().contains("no usable GPU"), "empty hides every GPU");
        assertTrue(GpuCheck.problem(gpus, "GPU-5d3c", true).orElseThrow().startsWith("GPU 1 "), "UUIDs: every GPU counts");
        assertTrue(GpuCheck.problem(List.of(), null, false).orElseThrow().contains("no usable GPU"));
    }

    @Test
    void onlyCommandsThatTrainAskForTheGpu() {
        assertTrue(GpuCheck.needed("run", "experiments/quickstart.yaml"));
        assertTrue(GpuCheck.needed("bench", "--resnet"));
        assertFalse(GpuCheck.needed("run", "--help"), "help needs no GPU");
        assertFalse(GpuCheck.needed("report", "x.yaml"));
        assertFalse(GpuCheck.needed("status", "x.yaml"));
        assertFalse(GpuCheck.needed());
    }
}
