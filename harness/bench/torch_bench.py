#!/usr/bin/env python3
"""PyTorch reference for `./kd bench`: the same work as the harness's benchmark.

Two training epochs (batch 128, Adam lr 1e-3) of each training row, the second reported
(steady state; the first is printed beside it), each followed, as in the harness's trainer, by a forward pass over a fixed 2,048-example training sample in
batch-sized chunks (the loss probe) and over the validation split. One student row per
method the harness registers (the same losses: Hinton KD, FitNets mse/cosine hints, SP,
RKD distance and angle, PKT as in RepDistiller, DKD as in mdistiller). Same data split sizes (Fashion-MNIST, 10 %
validation), same models, same losses, same thread count. Uses Debian's python3-torch;
prints torch's build/BLAS configuration first so the figures can be judged.

Also measures torch's SGEMM rate (1024^3, best of 5) and asks the OpenBLAS it loaded for
its version and the kernel set it chose for this CPU (openblas_get_config/_corename), so the
harness can print both sides' GEMM side by side; `--gemm-only` prints just that.

Usage: /usr/bin/python3 harness/bench/torch_bench.py --data DIR --threads 1 [--cnn] [--json] [--only REGEX] [--gemm-only]
"""
import argparse, ctypes, gzip, json, os, re, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def reset_peak_rss():
    """Resets the process's peak resident memory to its current one (Linux 4.0+), as the harness does per row."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_rss_mib():
    """The process's peak resident memory (VmHWM) in MiB, or None where unknown."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(d, base):
    return os.path.join(d, base + ".gz") if os.path.exists(os.path.join(d, base + ".gz")) else os.path.join(d, base)


def blas_identity():
    """The OpenBLAS this process loaded (through torch), described by itself."""
    maps = sorted({l.split()[-1] for l in open("/proc/self/maps") if re.search(r"/libopenblas[^/]*\.so", l)})
    out = {"file": maps[0] if maps else "", "config": "not loaded", "core": ""}
    if maps:
        lib = ctypes.CDLL(maps[0])
        lib.openblas_get_config.restype = ctypes.c_char_p
        lib.openblas_get_corename.restype = ctypes.c_char_p
        out["core"] = lib.openblas_get_corename().decode()
        out["config"] = lib.openblas_get_config().decode().replace(" " + out["core"] + " ", " ")
        if os.environ.get("OPENBLAS_CORETYPE"):
            out["core"] += " (OPENBLAS_CORETYPE=" + os.environ["OPENBLAS_CORETYPE"] + ")"
    return out


def sgemm_gflops(n=1024):
    """torch.mm on n x n float matrices, best of 5 after a warm-up, GFLOP/s."""
    a, b, c = torch.rand(n, n), torch.rand(n, n), torch.empty(n, n)
    best = float("inf")
    for i in range(6):
        t0 = time.perf_counter()
        torch.mm(a, b, out=c)
        if i:
            best = min(best, time.perf_counter() - t0)
    return 2.0 * n ** 3 / best / 1e9


def load_split(data):
    """Fashion-MNIST's training files split as the benchmarks split them: (x, y, xv, yv), 10 % validation."""
    images = read_idx(find(data, "train-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255.0
    labels = read_idx(find(data, "train-labels-idx1-ubyte")).astype(np.int64)
    perm = np.random.default_rng(42).permutation(len(images))
    n_val = round(len(images) * 0.1)
    return (torch.from_numpy(images[perm[n_val:]]), torch.from_numpy(labels[perm[n_val:]]),
            torch.from_numpy(images[perm[:n_val]]), torch.from_numpy(labels[perm[:n_val]]))


def mlp(widths):
    layers = []
    for i in range(len(widths) - 1):
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class Cnn(nn.Module):
    def __init__(self, channels, dense):
        super().__init__()
        convs, c, size = [], 1, 28
        for ch in channels:
            convs += [nn.Conv2d(c, ch, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
            c, size = ch, size // 2
        self.features = nn.Sequential(*convs)
        self.head = mlp([c * size * size, dense, 10])

    def forward(self, x):
        return self.head(self.features(x.view(-1, 1, 28, 28)).flatten(1))


class ResNet(nn.Module):
    """RepDistiller's CIFAR ResNet (models/resnet.py), on 1 x 28 x 28 images with global average pooling, as the harness builds it."""

    class Block(nn.Module):
        def __init__(self, i, o, stride):
            super().__init__()
            self.c1, self.b1 = nn.Conv2d(i, o, 3, stride, 1, bias=False), nn.BatchNorm2d(o)
            self.c2, self.b2 = nn.Conv2d(o, o, 3, 1, 1, bias=False), nn.BatchNorm2d(o)
            self.down = None if stride == 1 and i == o else nn.Sequential(nn.Conv2d(i, o, 1, stride, bias=False), nn.BatchNorm2d(o))

        def forward(self, x):
            y = self.b2(self.c2(F.relu(self.b1(self.c1(x)))))
            return F.relu(y + (x if self.down is None else self.down(x)))

    def __init__(self, depth, channels, classes=10, image=(1, 28, 28)):
        super().__init__()
        n = (depth - 2) // 6
        self.image = image
        self.stem, self.bn = nn.Conv2d(image[0], channels[0], 3, 1, 1, bias=False), nn.BatchNorm2d(channels[0])
        stages, i = [], channels[0]
        for stride, o in zip([1, 2, 2], channels[1:]):
            blocks = []
            for k in range(n):
                blocks.append(ResNet.Block(i, o, stride if k == 0 else 1))
                i = o
            stages.append(nn.Sequential(*blocks))
        self.stages = nn.ModuleList(stages)
        self.fc = nn.Linear(i, classes)

    def stage3(self, x):
        x = F.relu(self.bn(self.stem(x.view(-1, *self.image))))
        for s in self.stages:
            x = s(x)
        return x

    def forward(self, x):
        return self.fc(self.stage3(x).mean((2, 3)))


class Wrn(nn.Module):
    """RepDistiller's WRN (models/wrn.py), pre-activated blocks, as the harness builds it (dropout 0)."""

    class Block(nn.Module):
        def __init__(self, i, o, stride):
            super().__init__()
            self.b1, self.c1 = nn.BatchNorm2d(i), nn.Conv2d(i, o, 3, stride, 1, bias=False)
            self.b2, self.c2 = nn.BatchNorm2d(o), nn.Conv2d(o, o, 3, 1, 1, bias=False)
            self.short = None if i == o else nn.Conv2d(i, o, 1, stride, bias=False)

        def forward(self, x):
            p = F.relu(self.b1(x))
            y = self.c2(F.relu(self.b2(self.c1(p))))
            return y + (x if self.short is None else self.short(p))

    def __init__(self, depth, width, classes, image):
        super().__init__()
        n, self.image = (depth - 4) // 6, image
        self.stem = nn.Conv2d(image[0], 16, 3, 1, 1, bias=False)
        blocks, i = [], 16
        for stride, o in zip([1, 2, 2], [16 * width, 32 * width, 64 * width]):
            for k in range(n):
                blocks.append(Wrn.Block(i, o, stride if k == 0 else 1))
                i = o
        self.blocks, self.bn, self.fc = nn.Sequential(*blocks), nn.BatchNorm2d(i), nn.Linear(i, classes)

    def forward(self, x):
        return self.fc(F.relu(self.bn(self.blocks(self.stem(x.view(-1, *self.image))))).mean((2, 3)))


def read_cifar100(path, records):
    """The first `records` records of a CIFAR-100 binary file: coarse label, fine label, 3,072 pixel bytes (planes R, G, B)."""
    raw = np.fromfile(path, dtype=np.uint8, count=records * 3074).reshape(-1, 3074)
    return torch.from_numpy(raw[:, 2:].astype(np.float32) / 255.0), torch.from_numpy(raw[:, 1].astype(np.int64))


class WithParts(nn.Module):
    """A student with the modules its loss trains beside it (projections, attention maps): one optimiser over all
    their parameters, as the harness trains projections with the student; the student's forward."""

    def __init__(self, student, *parts):
        super().__init__()
        self.p = nn.ModuleList([student, *parts])

    def forward(self, xb):
        return self.p[0](xb)


def hidden2(model, x):
    """Output of the MLP's second hidden layer (after its ReLU)."""
    return model[:4](x)


OPTIMISERS = {}


def no_grad(fn):
    with torch.no_grad():
        return fn()


class Lazy:
    """A dict of tensors made on first read: the teacher's outputs only when a selected row needs them."""

    def __init__(self, make):
        self.make, self.value = make, None

    def force(self):
        if self.value is None:
            self.value = self.make()
        return self.value

    def __getitem__(self, k):
        return self.force()[k]

    def items(self):
        return self.force().items()


# seconds of the training steps of the last epoch() (a row's time adds the probe and validation passes)
LAST_STEPS = [0.0]


def epoch(model, x, y, loss_fn, extra=None, batch=128, seed=1):
    # one Adam per model for all its epochs, as in the harness's trainer
    t0 = time.perf_counter()
    opt = OPTIMISERS.setdefault(id(model), torch.optim.Adam(model.parameters(), lr=1e-3))
    g = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(x), generator=g)
    model.train()
    for i in range(0, len(x), batch):
        idx = order[i:i + batch]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model, x[idx], y[idx], None if extra is None else {k: v[idx] for k, v in extra.items()})
        loss.backward()
        opt.step()
    LAST_STEPS[0] = time.perf_counter() - t0


def probe_and_validate(model, x, y, xv, loss_fn, extra, batch=128):
    """The harness's end-of-epoch work: the loss on a 2,048-example sample in batch-sized chunks, and validation."""
    model.eval()  # BatchNorm on its running statistics, as the harness's probe and validation
    with torch.no_grad():
        n = min(2048, len(x))
        for i in range(0, n, batch):
            j = min(n, i + batch)
            loss_fn(model, x[i:j], y[i:j], None if extra is None else {k: v[i:j] for k, v in extra.items()})
        model(xv)


def cosine_hint(p, t, eps=1e-8):
    dot = (p * t).sum(1)
    return 1 - (dot / (torch.sqrt((p * p).sum(1) + eps) * torch.sqrt((t * t).sum(1) + eps))).mean()


def sp_loss(fs, ft):
    """RepDistiller's Similarity: row-normalised Gram matrices, mean squared difference over n^2 entries."""
    gs, gt = F.normalize(fs @ fs.t()), F.normalize(ft @ ft.t())
    return ((gs - gt) ** 2).mean()


def pdist(e):
    """Pairwise distances as RepDistiller computes them (from the Gram matrix, diagonal zeroed), with the
    harness's sqrt(. + 1e-8) so the mean below is the harness's mean over all n^2 pairs."""
    sq = (e * e).sum(1)
    res = (sq.unsqueeze(1) + sq.unsqueeze(0) - 2 * e @ e.t()).clamp(min=0).clone()
    res[range(len(e)), range(len(e))] = 0
    return (res + 1e-8).sqrt()


def rkd_distance(fs, ft):
    with torch.no_grad():
        td = pdist(ft)
        td = td / td.mean()
    d = pdist(fs)
    return F.smooth_l1_loss(d / d.mean(), td)


def rkd_angle(fs, ft):
    """RepDistiller's RKD angle term: normalised difference vectors, all triplets."""
    with torch.no_grad():
        td = F.normalize(ft.unsqueeze(0) - ft.unsqueeze(1), p=2, dim=2)
        t_angle = torch.bmm(td, td.transpose(1, 2)).view(-1)
    sd = F.normalize(fs.unsqueeze(0) - fs.unsqueeze(1), p=2, dim=2)
    s_angle = torch.bmm(sd, sd.transpose(1, 2)).view(-1)
    return F.smooth_l1_loss(s_angle, t_angle)


def pkt_loss(fs, ft, eps=1e-7):
    """RepDistiller's PKT (cosine_similarity_loss)."""
    fs = fs / (torch.sqrt((fs ** 2).sum(1, keepdim=True)) + eps)
    ft = ft / (torch.sqrt((ft ** 2).sum(1, keepdim=True)) + eps)
    ms, mt = (fs @ fs.t() + 1) / 2, (ft @ ft.t() + 1) / 2
    ms, mt = ms / ms.sum(1, keepdim=True), mt / mt.sum(1, keepdim=True)
    return torch.mean(mt * torch.log((mt + eps) / (ms + eps)))


def dkd_loss(zs, zt, target, alpha, beta, temperature):
    """mdistiller's DKD (without its warm-up ramp, as the harness)."""
    gt = torch.zeros_like(zs).scatter_(1, target.unsqueeze(1), 1).bool()
    ps, pt = F.softmax(zs / temperature, 1), F.softmax(zt / temperature, 1)
    bs = torch.cat([(ps * gt).sum(1, keepdim=True), (ps * ~gt).sum(1, keepdim=True)], 1)
    bt = torch.cat([(pt * gt).sum(1, keepdim=True), (pt * ~gt).sum(1, keepdim=True)], 1)
    tckd = F.kl_div(torch.log(bs), bt, reduction="sum") * temperature ** 2 / len(target)
    nckd = F.kl_div(F.log_softmax(zs / temperature - 1000.0 * gt, 1), F.softmax(zt / temperature - 1000.0 * gt, 1),
                    reduction="sum") * temperature ** 2 / len(target)
    return alpha * tckd + beta * nckd


def layer_row(name, s, distance, projected, hints, x, y, xv, timed, T=4.0, alpha=0.5):
    """0.8 * distance(proj(h2_s), h2_t) + 0.2 * response, with a 256->1200 projection for hints."""
    proj = nn.Linear(256, 1200) if projected else nn.Identity()

    def loss(m, xb, yb, e):
        h = hidden2(s, xb)
        z = s[4](h)
        kl = F.kl_div(F.log_softmax(z / T, 1), e["soft"], reduction="batchmean")
        l2 = alpha * F.cross_entropy(z, yb) + (1 - alpha) * T * T * kl
        return 0.8 * distance(proj(h), e["h2"]) + 0.2 * l2

    both = WithParts(s, proj)
    timed(name, lambda: (epoch(both, x, y, loss, hints), probe_and_validate(both, x, y, xv, loss, hints)), 2)


def association_row(name, s, x, y, xv, timed, extra, T=4.0, alpha=0.5, K=32):
    """The harness's `association`: both student layers attend over both teacher layers (per example),
    0.8 * mean over student layers of the attention-weighted squared errors + 0.2 * response."""
    q = nn.ModuleList([nn.Linear(256, K) for _ in range(2)])
    k = nn.ModuleList([nn.Linear(1200, K) for _ in range(2)])
    p = nn.ModuleList([nn.Linear(256, 1200) for _ in range(4)])

    def loss(m, xb, yb, e):
        h1 = s[:2](xb)
        h2 = s[2:4](h1)
        z = s[4](h2)
        ts = [e["h1"], e["h2"]]
        keys = [k[j](ts[j]) for j in range(2)]
        la = 0
        for l, h in enumerate([h1, h2]):
            ql = q[l](h)
            a = F.softmax(torch.stack([(ql * kj).sum(1) for kj in keys], 1) / K ** 0.5, 1)
            d = torch.stack([((p[2 * l + j](h) - ts[j]) ** 2).mean(1) for j in range(2)], 1)
            la = la + (a * d).sum(1).mean()
        kl = F.kl_div(F.log_softmax(z / T, 1), e["soft"], reduction="batchmean")
        return 0.8 * la / 2 + 0.2 * (alpha * F.cross_entropy(z, yb) + (1 - alpha) * T * T * kl)

    both = WithParts(s, q, k, p)
    timed(name, lambda: (epoch(both, x, y, loss, extra), probe_and_validate(both, x, y, xv, loss, extra)), 2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--cnn", action="store_true")
    ap.add_argument("--resnet", action="store_true", help="also time the residual-network rows (on 2,048 examples)")
    ap.add_argument("--cifar", default=None, help="also time the CIFAR-100-shaped rows on the CIFAR-100 binary files in this directory")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--only", default=None, help="time only rows whose name contains a match of this regex")
    ap.add_argument("--gemm-only", action="store_true", help="print only the SGEMM rate and the BLAS identity (JSON)")
    ap.add_argument("--show-config", action="store_true", help="print torch's build configuration (the first round of kd bench)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    gemm = {"gflops": sgemm_gflops(), "blas": blas_identity(), "mkldnn": torch.backends.mkldnn.is_available()}
    if a.gemm_only:
        print(json.dumps(gemm))
        return
    torch.manual_seed(0)
    if a.show_config:
        print(torch.__config__.show(), file=sys.stderr)
    print("torch", torch.__version__, "threads", torch.get_num_threads(), "parallel", torch.__config__.parallel_info().splitlines()[:3],
          file=sys.stderr)

    x, y, xv, _ = load_split(a.data)
    n = len(x)
    rows = []

    def timed(name, fn, epochs=1, samples=None):
        """Runs fn `epochs` times and reports the last run (for training rows: the second epoch, steady state)."""
        if a.only and not re.search(a.only, name):
            return
        times = []
        reset_peak_rss()
        for _ in range(epochs):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        s = times[-1]
        count = n if samples is None else samples
        rows.append({"row": name, "seconds": s, "samples_per_second": count / s, "first_seconds": times[0], "peak_mib": peak_rss_mib()})
        extra = f"  (first epoch {times[0]:.2f} s; steps {LAST_STEPS[0]:.2f} s)" if epochs > 1 else ""
        print(f"  {name:<60} {s:8.2f} s {count / s:10.0f} samples/s{extra}", file=sys.stderr)

    ce = lambda m, xb, yb, e: F.cross_entropy(m(xb), yb)

    def response_loss(T=4.0, alpha=0.5):
        def f(m, xb, yb, e):
            z = m(xb)
            kl = F.kl_div(F.log_softmax(z / T, 1), e["soft"], reduction="batchmean")
            return alpha * F.cross_entropy(z, yb) + (1 - alpha) * T * T * kl
        return f

    teacher = mlp([784, 1200, 1200, 10])
    timed("teacher epoch, MLP 784-1200-1200-10", lambda: (epoch(teacher, x, y, ce), probe_and_validate(teacher, x, y, xv, ce, None)), 2)
    def prepare():
        with torch.no_grad():
            return {"logits": torch.cat([teacher(x[i:i + 2048]) for i in range(0, n, 2048)]),
                    "h2": torch.cat([hidden2(teacher, x[i:i + 2048]) for i in range(0, n, 2048)])}
    # the teacher's outputs when a row first reads them, as the harness's TeacherOutputs: with --only baseline, never
    outs = Lazy(prepare)
    timed("prepare teacher outputs (logits + layer 2, train split)", outs.force)
    soft = Lazy(lambda: {"soft": F.softmax(outs["logits"] / 4.0, 1)})

    student = lambda: mlp([784, 256, 256, 10])
    s = student()
    timed("student epoch, baseline", lambda: (epoch(s, x, y, ce), probe_and_validate(s, x, y, xv, ce, None)), 2)
    s = student()
    r = response_loss()
    timed("student epoch, response", lambda: (epoch(s, x, y, r, soft), probe_and_validate(s, x, y, xv, r, soft)), 2)

    hints = Lazy(lambda: {"soft": soft["soft"], "h2": outs["h2"]})
    # one row per layer distance on s2 <- t2 (0.8 * distance + 0.2 * response, T=4, alpha=0.5),
    # the same names and losses as the harness's registered methods
    for name, distance, projected in [("feature mse", lambda p, t: F.mse_loss(p, t), True),
                                      ("feature cosine", cosine_hint, True),
                                      ("relation sp", sp_loss, False),
                                      ("relation rkd_distance", rkd_distance, False),
                                      ("relation rkd_angle", rkd_angle, False),
                                      ("relation pkt", pkt_loss, False)]:
        layer_row(f"student epoch, {name} (s2<-t2)", student(), distance, projected, hints, x, y, xv, timed)

    s = student()

    def dkd_total(m, xb, yb, e):
        z = m(xb)
        return F.cross_entropy(z, yb) + dkd_loss(z, e["logits"], yb, 1.0, 8.0, 4.0)
    logits = Lazy(lambda: {"logits": outs["logits"]})
    timed("student epoch, dkd dkd_alpha=1.0,dkd_beta=8.0",
          lambda: (epoch(s, x, y, dkd_total, logits), probe_and_validate(s, x, y, xv, dkd_total, logits)), 2)

    if not a.only or re.search(a.only, "student epoch, association"):
        with torch.no_grad():
            h1 = torch.cat([teacher[:2](x[i:i + 2048]) for i in range(0, n, 2048)])
        association_row("student epoch, association", student(), x, y, xv, timed,
                        {"soft": soft["soft"], "h1": h1, "h2": outs["h2"]})

    if a.cnn:
        ct = Cnn([32, 64], 128)
        timed("teacher epoch, CNN conv32-conv64-fc128", lambda: (epoch(ct, x, y, ce), probe_and_validate(ct, x, y, xv, ce, None)), 2)
        csoft = Lazy(lambda: no_grad(lambda: {"soft": F.softmax(torch.cat([ct(x[i:i + 2048]) for i in range(0, n, 2048)]) / 4.0, 1)}))
        cs = Cnn([16], 32)
        timed("student epoch, response KD, CNN conv16-fc32", lambda: (epoch(cs, x, y, r, csoft), probe_and_validate(cs, x, y, xv, r, csoft)), 2)

    if a.resnet:
        # 2,048 training and 512 validation examples: these rows are slow on CPU at one thread
        xs, ys, xvs = x[:2048], y[:2048], xv[:512]
        m = len(xs)
        rt = ResNet(20, [16, 16, 32, 64])
        timed("teacher epoch, resnet20 (2,048 examples)", lambda: (epoch(rt, xs, ys, ce), probe_and_validate(rt, xs, ys, xvs, ce, None)), 2,
              samples=m)

        def resnet_outputs():
            rt.eval()
            return no_grad(lambda: {"logits": torch.cat([rt(xs[i:i + 512]) for i in range(0, m, 512)]),
                                    "h3": torch.cat([rt.stage3(xs[i:i + 512]) for i in range(0, m, 512)])})
        rout = Lazy(resnet_outputs)
        rsoft = Lazy(lambda: {"soft": F.softmax(rout["logits"] / 4.0, 1)})
        s = ResNet(8, [32, 64, 128, 256])
        r = response_loss()
        timed("student epoch, response KD, resnet8x4 (2,048 examples)",
              lambda: (epoch(s, xs, ys, r, rsoft), probe_and_validate(s, xs, ys, xvs, r, rsoft)), 2, samples=m)
        s = ResNet(8, [32, 64, 128, 256])
        proj = nn.Conv2d(256, 64, 1)

        def feature(mod, xb, yb, e, T=4.0, alpha=0.5):
            h3 = s.stage3(xb)
            z = s.fc(h3.mean((2, 3)))
            kl = F.kl_div(F.log_softmax(z / T, 1), e["soft"], reduction="batchmean")
            return 0.8 * F.mse_loss(proj(h3), e["h3"]) + 0.2 * (alpha * F.cross_entropy(z, yb) + (1 - alpha) * T * T * kl)

        both, hints = WithParts(s, proj), Lazy(lambda: {"soft": rsoft["soft"], "h3": rout["h3"]})
        timed("student epoch, feature KD, resnet8x4 stage3<-stage3 (2,048 examples)",
              lambda: (epoch(both, xs, ys, feature, hints), probe_and_validate(both, xs, ys, xvs, feature, hints)), 2, samples=m)

    if a.cifar:
        # CIFAR-100-shaped rows (3 x 32 x 32, 100 classes) on the file the harness's bench wrote: 2,048 training, 512 validation
        xc, yc = read_cifar100(os.path.join(a.cifar, "train.bin"), 2560)
        xs, ys, xvs = xc[:2048], yc[:2048], xc[2048:]
        m, image = len(xs), (3, 32, 32)
        rt = ResNet(32, [32, 64, 128, 256], 100, image)

        def forward_all():
            rt.eval()
            with torch.no_grad():
                return torch.cat([rt(xs[i:i + 128]) for i in range(0, m, 128)])

        timed("teacher forward, resnet32x4 (CIFAR-100 shapes, 2,048 examples)", forward_all, 1, samples=m)

        def cifar_outputs():
            rt.eval()
            h3 = no_grad(lambda: torch.cat([rt.stage3(xs[i:i + 128]) for i in range(0, m, 128)]))
            return {"h3": h3, "logits": no_grad(lambda: rt.fc(h3.mean((2, 3))))}
        cout = Lazy(cifar_outputs)
        csoft = Lazy(lambda: {"soft": F.softmax(cout["logits"] / 4.0, 1)})
        r = response_loss()
        s = ResNet(8, [32, 64, 128, 256], 100, image)
        timed("student epoch, response KD, resnet8x4 (CIFAR-100 shapes, 2,048 examples)",
              lambda: (epoch(s, xs, ys, r, csoft), probe_and_validate(s, xs, ys, xvs, r, csoft)), 2, samples=m)
        s = ResNet(8, [32, 64, 128, 256], 100, image)

        def fitnet(mod, xb, yb, e, T=4.0, alpha=0.5):
            h3 = s.stage3(xb)
            z = s.fc(h3.mean((2, 3)))
            kl = F.kl_div(F.log_softmax(z / T, 1), e["soft"], reduction="batchmean")
            return 0.8 * F.mse_loss(h3, e["h3"]) + 0.2 * (alpha * F.cross_entropy(z, yb) + (1 - alpha) * T * T * kl)

        hints = Lazy(lambda: {"soft": csoft["soft"], "h3": cout["h3"]})
        timed("student epoch, feature KD, resnet8x4 stage3<-stage3 (CIFAR-100 shapes, 2,048 examples)",
              lambda: (epoch(s, xs, ys, fitnet, hints), probe_and_validate(s, xs, ys, xvs, fitnet, hints)), 2, samples=m)
        w = Wrn(16, 2, 100, image)
        timed("student epoch, response KD, WRN-16-2 (CIFAR-100 shapes, 2,048 examples)",
              lambda: (epoch(w, xs, ys, r, csoft), probe_and_validate(w, xs, ys, xvs, r, csoft)), 2, samples=m)

    if a.json:
        blas = os.path.realpath("/etc/alternatives/libblas.so.3-x86_64-linux-gnu")
        print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "libblas": blas, "gemm": gemm,
                          "blas": [l.strip() for l in torch.__config__.show().splitlines() if "BLAS" in l], "rows": rows}))


if __name__ == "__main__":
    main()
