package org.kdharness.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Whether this machine's GPUs can run the CUDA build's natives, checked before ND4J loads them.
 *
 * <p>Why: ND4J 1.0.0-M2.1's {@code nd4j-cuda-11.6} natives carry machine code for compute capability
 * 3.7 to 8.6 and no PTX. CUDA runs machine code built for {@code X.y} on devices of capability
 * {@code X.z} with {@code z >= y} only, so a GPU of capability 3.7, or of major 5 to 8, runs them (an
 * Ada card, 8.9, runs the 8.6 code), and a Hopper (9.0) or a newer GPU cannot: every kernel launch
 * there fails with "no kernel image is available" once a run has started. One line at start names the
 * GPU, its capability and the supported range instead. The capability comes from {@code nvidia-smi}
 * (the driver's tool, present wherever the driver is), since ND4J's own device query needs the natives
 * this check guards.
 */
final class GpuCheck {

    /** A GPU as {@code nvidia-smi} lists it: index, name and compute capability. */
    record Gpu(int index, String name, int major, int minor) {

        boolean supported() {
            return major == 3 && minor >= 7 || major >= 5 && major <= 8;
        }
    }

    static final String SUPPORTED = "3.7 and 5.0-8.9 (ND4J 1.0.0-M2.1's CUDA 11.6 natives carry machine code for 3.7-8.6 and no PTX)";

    private GpuCheck() {
    }

    /** Whether a command line trains or times networks (the others, and help, need no GPU). */
    static boolean needed(String... args) {
        return args.length > 0 && List.of("run", "bench", "plan", "slurm", "suggest-mappings").contains(args[0])
                && !List.of(args).contains("--help") && !List.of(args).contains("-h");
    }

    /** Whether the CUDA backend is on the class path (the {@code cuda} build), without loading it. */
    static boolean cudaBuild() {
        try {
            Class.forName("org.nd4j.linalg.jcublas.JCublasBackend", false, GpuCheck.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * The GPUs in {@code nvidia-smi --query-gpu=index,name,compute_cap --format=csv,noheader} output, e.g.
     * {@code 0, NVIDIA H100 80GB HBM3, 9.0}; lines it cannot read (an older driver's error text) are skipped.
     */
    static List<Gpu> parse(String csv) {
        List<Gpu> gpus = new ArrayList<>();
        for (String line : csv.split("\\R")) {
            int first = line.indexOf(','), last = line.lastIndexOf(',');
            if (first < 0 || last <= first) {
                continue;
            }
            String[] cap = line.substring(last + 1).trim().split("\\.");
            try {
                gpus.add(new Gpu(Integer.parseInt(line.substring(0, first).trim()), line.substring(first + 1, last).trim(),
                        Integer.parseInt(cap[0]), cap.length > 1 ? Integer.parseInt(cap[1]) : 0));
            } catch (NumberFormatException e) {
                // not a GPU line
            }
        }
        return gpus;
    }

    /**
     * The problem with the GPUs a run would use, if any, or none found. {@code visible} is CUDA_VISIBLE_DEVICES: empty
     * hides every GPU; a list of indices selects by nvidia-smi's (PCI bus) index only where {@code pciOrder}
     * (CUDA_DEVICE_ORDER=PCI_BUS_ID), since CUDA numbers devices fastest first by default; otherwise every GPU counts.
     */
    static Optional<String> problem(List<Gpu> gpus, String visible, boolean pciOrder) {
        List<Gpu> used = new ArrayList<>();
        boolean indices = visible != null && visible.trim().matches("\\d+(\\s*,\\s*\\d+)*");
        for (Gpu g : gpus) {
            boolean hidden = visible != null && visible.isBlank();
            if (!hidden && (!indices || !pciOrder || List.of(visible.trim().split("\\s*,\\s*")).contains(String.valueOf(g.index())))) {
                used.add(g);
            }
        }
        if (used.isEmpty()) {
            return Optional.of("the cuda build found no usable GPU" + (visible == null ? "" : " (CUDA_VISIBLE_DEVICES=" + visible + ")")
                    + "; build for the CPU with KD_BACKEND=cpu ./kd ...");
        }
        for (Gpu g : used) {
            if (!g.supported()) {
                return Optional.of(String.format(Locale.ROOT, "GPU %d (%s) has compute capability %d.%d; the cuda build runs on %s."
                        + " Use a GPU in that range (CUDA_VISIBLE_DEVICES) or the CPU build: KD_BACKEND=cpu ./kd ...", g.index(), g.name(),
                        g.major(), g.minor(), SUPPORTED));
            }
        }
        return Optional.empty();
    }

    /**
     * The problem on this machine, if any; empty too when {@code nvidia-smi} cannot report capabilities (an old
     * driver): ND4J then reports what it finds.
     */
    static Optional<String> onThisMachine() {
        String out;
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=index,name,compute_cap", "--format=csv,noheader")
                    .redirectErrorStream(true).start();
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return out.contains("compute_cap") ? Optional.empty()
                        : Optional.of("nvidia-smi failed (" + out.trim().lines().findFirst().orElse("no output")
                        + "): the cuda build needs an NVIDIA driver; build for the CPU with KD_BACKEND=cpu ./kd ...");
            }
        } catch (IOException e) {
            return Optional.of("no NVIDIA driver found (nvidia-smi is not on the PATH): the cuda build needs one;"
                    + " build for the CPU with KD_BACKEND=cpu ./kd ...");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        return problem(parse(out), System.getenv("CUDA_VISIBLE_DEVICES"), "PCI_BUS_ID".equals(System.getenv("CUDA_DEVICE_ORDER")));
    }
}
