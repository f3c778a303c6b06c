#!/usr/bin/env python3
"""PyTorch reference for `./kd bench`: the same work as the harness's benchmark.

Two training epochs (batch 128, Adam lr 1e-3) of each training row, the second reported
(steady state; the first is printed beside it), each followed, as in the harness's trainer, by a forward pass over a fixed 2,048-example training sample (the loss
probe) and over the validation split. Same data split sizes (Fashion-MNIST, 10 %
validation), same models, same losses, same thread count. Uses Debian's python3-torch;
prints torch's build/BLAS configuration first so the figures can be judged.

Usage: /usr/bin/python3 harness/bench/torch_bench.py --data DIR --threads 1 [--cnn] [--json]
"""
import argparse, gzip, json, os, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(d, base):
    return os.path.join(d, base + ".gz") if os.path.exists(os.path.join(d, base + ".gz")) else os.path.join(d, base)


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


def hidden2(model, x):
    """Output of the MLP's second hidden layer (after its ReLU)."""
    return model[:4](x)


OPTIMISERS = {}


def epoch(model, x, y, loss_fn, extra=None, batch=128, seed=1):
    # one Adam per model for all its epochs, as in the harness's trainer
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


def probe_and_validate(model, x, y, xv, loss_fn, extra):
    with torch.no_grad():
        n = min(2048, len(x))
        loss_fn(model, x[:n], y[:n], None if extra is None else {k: v[:n] for k, v in extra.items()})
        model(xv)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--cnn", action="store_true")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    print(torch.__config__.show(), file=sys.stderr)
    print("torch", torch.__version__, "threads", torch.get_num_threads(), "parallel", torch.__config__.parallel_info().splitlines()[:3],
          file=sys.stderr)

    images = read_idx(find(a.data, "train-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255.0
    labels = read_idx(find(a.data, "train-labels-idx1-ubyte")).astype(np.int64)
    perm = np.random.default_rng(42).permutation(len(images))
    n_val = round(len(images) * 0.1)
    xv, x = torch.from_numpy(images[perm[:n_val]]), torch.from_numpy(images[perm[n_val:]])
    y = torch.from_numpy(labels[perm[n_val:]])
    n = len(x)
    rows = []

    def timed(name, fn, epochs=1):
        """Runs fn `epochs` times and reports the last run (for training rows: the second epoch, steady state)."""
        times = []
        for _ in range(epochs):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        s = times[-1]
        rows.append({"row": name, "seconds": s, "samples_per_second": n / s, "first_seconds": times[0]})
        extra = f"  (first epoch {times[0]:.2f} s)" if epochs > 1 else ""
        print(f"  {name:<60} {s:8.2f} s {n / s:10.0f} samples/s{extra}", file=sys.stderr)

    ce = lambda m, xb, yb, e: F.cross_entropy(m(xb), yb)

    def response_loss(T=4.0, alpha=0.5):
        def f(m, xb, yb, e):
            z = m(xb)
            kl = F.kl_div(F.log_softmax(z / T, 1), e["soft"], reduction="batchmean")
            return alpha * F.cross_entropy(z, yb) + (1 - alpha) * T * T * kl
        return f

    teacher = mlp([784, 1200, 1200, 10])
    timed("teacher epoch, MLP 784-1200-1200-10", lambda: (epoch(teacher, x, y, ce), probe_and_validate(teacher, x, y, xv, ce, None)), 2)
    outs = {}

    def prepare():
        with torch.no_grad():
            outs["logits"] = torch.cat([teacher(x[i:i + 2048]) for i in range(0, n, 2048)])
            outs["h2"] = torch.cat([hidden2(teacher, x[i:i + 2048]) for i in range(0, n, 2048)])
    timed("prepare teacher outputs (logits + layer 2, train split)", prepare)
    soft = {"soft": F.softmax(outs["logits"] / 4.0, 1)}

    student = lambda: mlp([784, 256, 256, 10])
    s = student()
    timed("student epoch, baseline, MLP 784-256-256-10", lambda: (epoch(s, x, y, ce), probe_and_validate(s, x, y, xv, ce, None)), 2)
    s = student()
    r = response_loss()
    timed("student epoch, response KD (T=4, alpha=0.5)", lambda: (epoch(s, x, y, r, soft), probe_and_validate(s, x, y, xv, r, soft)), 2)

    s = student()
    proj = nn.Linear(256, 1200)
    params = nn.ModuleList([s, proj])

    def feature_loss(m, xb, yb, e):
        h = hidden2(s, xb)
        z = s[4](h)
        T, alpha = 4.0, 0.5
        kl = F.kl_div(F.log_softmax(z / T, 1), e["soft"], reduction="batchmean")
        l2 = alpha * F.cross_entropy(z, yb) + (1 - alpha) * T * T * kl
        return 0.8 * F.mse_loss(proj(h), e["h2"]) + 0.2 * l2

    class Both(nn.Module):
        def __init__(self):
            super().__init__()
            self.p = params

        def forward(self, xb):
            return s(xb)

    both = Both()
    hints = {"soft": soft["soft"], "h2": outs["h2"]}
    timed("student epoch, feature KD (s2<-t2, 256->1200 projection)",
          lambda: (epoch(both, x, y, feature_loss, hints), probe_and_validate(both, x, y, xv, feature_loss, hints)), 2)

    if a.cnn:
        ct = Cnn([32, 64], 128)
        timed("teacher epoch, CNN conv32-conv64-fc128", lambda: (epoch(ct, x, y, ce), probe_and_validate(ct, x, y, xv, ce, None)), 2)
        with torch.no_grad():
            csoft = {"soft": F.softmax(torch.cat([ct(x[i:i + 2048]) for i in range(0, n, 2048)]) / 4.0, 1)}
        cs = Cnn([16], 32)
        timed("student epoch, response KD, CNN conv16-fc32", lambda: (epoch(cs, x, y, r, csoft), probe_and_validate(cs, x, y, xv, r, csoft)), 2)

    if a.json:
        blas = os.path.realpath("/etc/alternatives/libblas.so.3-x86_64-linux-gnu")
        print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "libblas": blas,
                          "blas": [l.strip() for l in torch.__config__.show().splitlines() if "BLAS" in l], "rows": rows}))


if __name__ == "__main__":
    main()
