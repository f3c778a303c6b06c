package org.kdharness.config;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.ArrayList;
import java.util.List;

/**
 * Architecture of a teacher or student network.
 *
 * <p>Why: teacher and student are described by the same small record so that the teacher
 * cache key, the trial id and the report all derive from one value. The families: {@code mlp}
 * (dense hidden layers), {@code cnn} (conv blocks then dense layers), and with BatchNorm, as
 * RepDistiller defines them for CIFAR, {@code resnet}, {@code wrn} and {@code vgg}. Hidden layers (taps) are numbered from 1 in the order the data meets them;
 * those numbers, or the names of {@link #tapNames()} ({@code h1}, {@code h2}, ...; for a
 * resnet {@code stage1}, {@code stage2}, {@code stage3}, {@code pool}), are what layer
 * mappings refer to.
 *
 * @param type       {@code mlp}, {@code cnn}, {@code resnet}, {@code wrn} or {@code vgg}
 * @param hidden     widths of the dense hidden layers (after any conv blocks)
 * @param conv       conv blocks (cnn only), each a hidden layer of its own
 * @param activation hidden activation: relu, tanh, sigmoid, leaky_relu, elu
 * @param dropout    drop probability applied after each dense hidden layer in training
 * @param depth      resnet: 6n+2 layers, n basic blocks per stage (8, 14, 20, 32, 56, 110); wrn: 6n+4 (16, 40);
 *                   vgg (with BatchNorm): 8, 11, 13, 16 or 19
 * @param width      resnet only: 1 gives RepDistiller's resnet20/32/56 channels (16, 16, 32, 64);
 *                   k &gt; 1 gives its resnetNxk channels (8k, 16k, 32k, 64k), e.g. depth 8, width 4
 *                   is resnet8x4 (32, 64, 128, 256); for a wrn, the widen factor k (16, 16k, 32k, 64k: WRN-40-2 is
 *                   depth 40, width 2)
 * @param taps       resnet and wrn only: {@code stages} (the default; taps {@code stage1..3}, {@code pool}) or {@code blocks}
 *                   (every block's output, {@code stage1.block1} .. {@code stage3.blockN}, then {@code pool}; {@code stageK}
 *                   still names stage K's last block)
 * @param imported   an imported teacher only (type {@code onnx}): its taps as the file declares them; not written in a
 *                   config, but derived from the file ({@code teacher.onnx})
 */
public record ModelSpec(
        String type,
        List<Integer> hidden,
        List<ConvBlock> conv,
        String activation,
        Double dropout,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer depth,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer width,
        @JsonInclude(JsonInclude.Include.NON_NULL) String taps,
        @JsonInclude(JsonInclude.Include.NON_NULL) @com.fasterxml.jackson.annotation.JsonIgnore Imported imported) {

    /** An MLP or CNN (no resnet settings). */
    public ModelSpec(String type, List<Integer> hidden, List<ConvBlock> conv, String activation, Double dropout) {
        this(type, hidden, conv, activation, dropout, null, null);
    }

    /** A network this harness builds. */
    public ModelSpec(String type, List<Integer> hidden, List<ConvBlock> conv, String activation, Double dropout, Integer depth,
                     Integer width) {
        this(type, hidden, conv, activation, dropout, depth, width, null, null);
    }

    /**
     * What mappings need to know of an imported teacher: its file's name, its taps in order and how many of the first
     * are feature maps.
     */
    public record Imported(String name, List<String> taps, int maps) {
        public Imported {
            taps = List.copyOf(taps);
        }
    }

    /** The architecture of a teacher imported from {@code name}, as far as mappings refer to it. */
    public static ModelSpec imported(String name, List<String> taps, int maps) {
        return new ModelSpec("onnx", null, null, null, null, null, null, null, new Imported(name, taps, maps));
    }

    /** A teacher run from an ONNX file rather than built here. */
    public boolean onnx() {
        return imported != null;
    }

    /** Canonical form with defaults filled in, so equal networks hash equally. */
    public ModelSpec {
        type = type == null ? "mlp" : type.toLowerCase();
        hidden = hidden == null ? List.of() : List.copyOf(hidden);
        conv = conv == null ? List.of() : List.copyOf(conv);
        activation = activation == null ? "relu" : activation.toLowerCase();
        dropout = dropout == null ? 0.0 : dropout;
        // unset for mlp and cnn, so their canonical JSON (teacher keys, trial ids) is unchanged
        width = ("resnet".equals(type) || "wrn".equals(type)) && width == null ? Integer.valueOf(1) : width;
        // the default left out, so stage-level networks keep their canonical JSON (teacher keys, trial ids)
        taps = taps == null || taps.equalsIgnoreCase("stages") ? null : taps.toLowerCase();
    }

    /** This architecture with tap layout {@code taps} ({@code null}: stages). */
    public ModelSpec withTaps(String taps) {
        return new ModelSpec(type, hidden, conv, activation, dropout, depth, width, taps, imported);
    }

    /** Whether every residual block's output is a tap ({@code taps: blocks}), not only each stage's last. */
    public boolean blockTaps() {
        return "blocks".equals(taps) && residual();
    }

    public boolean resnet() {
        return type.equals("resnet");
    }

    /** A wide residual network (Zagoruyko &amp; Komodakis 2016, as RepDistiller's {@code models/wrn.py}). */
    public boolean wrn() {
        return type.equals("wrn");
    }

    /** VGG with BatchNorm (RepDistiller's {@code models/vgg.py}): depth 8, 11, 13, 16 or 19. */
    public boolean vgg() {
        return type.equals("vgg");
    }

    /** VGG depths and their blocks' channels (RepDistiller's configurations S, A, B, D, E). */
    public static final java.util.Map<Integer, List<List<Integer>>> VGG_BLOCKS = java.util.Map.of(
            8, List.of(List.of(64), List.of(128), List.of(256), List.of(512), List.of(512)),
            11, List.of(List.of(64), List.of(128), List.of(256, 256), List.of(512, 512), List.of(512, 512)),
            13, List.of(List.of(64, 64), List.of(128, 128), List.of(256, 256), List.of(512, 512), List.of(512, 512)),
            16, List.of(List.of(64, 64), List.of(128, 128), List.of(256, 256, 256), List.of(512, 512, 512), List.of(512, 512, 512)),
            19, List.of(List.of(64, 64), List.of(128, 128), List.of(256, 256, 256, 256), List.of(512, 512, 512, 512),
                    List.of(512, 512, 512, 512)));

    /** The VGG's blocks, each its convolutions' channels. */
    public List<List<Integer>> vggBlocks() {
        return VGG_BLOCKS.get(depth);
    }

    /** A residual network of either family: three stages of blocks, global pooling, the same taps. */
    public boolean residual() {
        return resnet() || wrn();
    }

    /**
     * Residual channels: the stem's, then each of the three stages'. A resnet of width 1 has 16, 16, 32, 64 and of
     * width k 8k, 16k, 32k, 64k; a WRN of widen factor k has 16, 16k, 32k, 64k.
     */
    public List<Integer> resnetChannels() {
        int k = width == null ? 1 : width;
        if (wrn()) {
            return List.of(16, 16 * k, 32 * k, 64 * k);
        }
        return k == 1 ? List.of(16, 16, 32, 64) : List.of(8 * k, 16 * k, 32 * k, 64 * k);
    }

    /** Basic blocks per stage: (depth - 2) / 6 for a resnet, (depth - 4) / 6 for a WRN. */
    public int blocksPerStage() {
        return depth == null ? 0 : (depth - (wrn() ? 4 : 2)) / 6;
    }

    /** The taps' names, in order: {@code h1..hN}, or for a resnet its stages' outputs and the pooled features. */
    public List<String> tapNames() {
        if (onnx()) {
            return imported.taps();
        }
        if (blockTaps()) {
            List<String> out = new ArrayList<>();
            for (int stage = 1; stage <= 3; stage++) {
                for (int block = 1; block <= blocksPerStage(); block++) {
                    out.add("stage" + stage + ".block" + block);
                }
            }
            out.add("pool");
            return out;
        }
        if (residual()) {
            return List.of("stage1", "stage2", "stage3", "pool");
        }
        if (vgg()) {
            return List.of("block0", "block1", "block2", "block3", "block4", "pool");
        }
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= hiddenLayerCount(); i++) {
            out.add("h" + i);
        }
        return out;
    }

    /**
     * The 1-based number of the tap called {@code name}, or 0: a name of {@link #tapNames()}, or with block taps
     * {@code stageK}, stage K's last block (what {@code stageK} names at stage level).
     */
    public int tapIndex(String name) {
        int i = tapNames().indexOf(name);
        if (i < 0 && blockTaps() && name.matches("stage[123]")) {
            i = tapNames().indexOf(name + ".block" + blocksPerStage());
        }
        return i + 1;
    }

    /** Short readable name, e.g. {@code mlp[64, 64]}, {@code cnn[conv16, conv32][64]}, {@code resnet8x4}, {@code resnet20}. */
    public String shortName() {
        if (onnx()) {
            return imported.name();
        }
        if (resnet()) {
            return "resnet" + depth + (width == null || width == 1 ? "" : "x" + width);
        }
        if (wrn()) {
            return "wrn_" + depth + "_" + width;
        }
        if (vgg()) {
            return "vgg" + depth;
        }
        String c = conv.isEmpty() ? "" : conv.stream().map(b -> "conv" + b.filters()).toList().toString();
        return type + c + hidden;
    }

    /** How many taps, from the first, are feature maps: a CNN's conv blocks, a resnet's three stages. */
    public int mapTapCount() {
        return onnx() ? imported.maps() : blockTaps() ? 3 * blocksPerStage() : residual() ? 3 : vgg() ? 5 : conv.size();
    }

    /** Number of hidden layers a mapping may refer to (conv blocks first, then dense). */
    public int hiddenLayerCount() {
        return onnx() ? imported.taps().size() : blockTaps() ? 3 * blocksPerStage() + 1 : residual() ? 4 : vgg() ? 6 : conv.size() + hidden.size();
    }

    /**
     * One convolution block: 3x3-style conv with SAME padding, activation, then optional
     * 2x2 max pooling.
     *
     * @param filters output channels
     * @param kernel  square kernel size
     * @param pool    whether a 2x2/2 max pool follows
     */
    public record ConvBlock(int filters, Integer kernel, Boolean pool) {
        public ConvBlock {
            kernel = kernel == null ? 3 : kernel;
            pool = pool == null ? Boolean.TRUE : pool;
        }
    }
}
