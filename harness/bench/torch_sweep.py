#!/usr/bin/env python3
"""PyTorch reference for `./kd bench --sweep`: the plain loop a researcher would write for a
response-KD grid, timed end to end.

Teacher 784-1200-1200-10 trained once (Adam 1e-3, batch 128, TEACHER_EPOCHS epochs), its
training-split logits cached, then every (temperature, alpha, seed) of the grid trains a
784-256-256-10 student for STUDENT_EPOCHS epochs with Hinton's loss
alpha * CE + (1 - alpha) * T^2 * KL(softmax(z_t / T) || softmax(z_s / T)), validation accuracy
after every epoch and test accuracy at the end, one trial after another in one process at
the given thread count. Same data (Fashion-MNIST, 10 % validation), same grid, same models and
epochs as the harness's side. Prints one JSON line: wall seconds and the best configuration.

Usage: /usr/bin/python3 harness/bench/torch_sweep.py --data DIR --threads 1 --temperatures 2,4,8 --alphas 0.5,0.9 --seeds 1,2,3,4
"""
import argparse, json, os, sys, time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_bench import find, load_split, mlp, read_idx  # noqa: E402  (same data split and models as the epoch benchmark)

TEACHER_EPOCHS, STUDENT_EPOCHS, BATCH = 5, 5, 128


def train(model, x, y, loss_fn, epochs, xv, yv, seed):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(seed)
    val = []
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), BATCH):
            idx = order[i:i + BATCH]
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x[idx]), y[idx], idx).backward()
            opt.step()
        val.append(accuracy(model, xv, yv))
    return val


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--temperatures", default="2,4,8")
    ap.add_argument("--alphas", default="0.5,0.9")
    ap.add_argument("--seeds", default="1,2,3,4")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    start = time.perf_counter()

    x, y, xv, yv = load_split(a.data)
    xt = torch.from_numpy(read_idx(find(a.data, "t10k-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255.0)
    yt = torch.from_numpy(read_idx(find(a.data, "t10k-labels-idx1-ubyte")).astype(np.int64))

    torch.manual_seed(7)
    teacher = mlp([784, 1200, 1200, 10])
    train(teacher, x, y, lambda z, yb, idx: F.cross_entropy(z, yb), TEACHER_EPOCHS, xv, yv, 7)
    teacher.eval()
    with torch.no_grad():
        logits = torch.cat([teacher(x[i:i + 2048]) for i in range(0, len(x), 2048)])
    teacher_seconds = time.perf_counter() - start

    results = {}
    temperatures = [float(t) for t in a.temperatures.split(",")]
    alphas = [float(v) for v in a.alphas.split(",")]
    seeds = [int(s) for s in a.seeds.split(",")]
    for T in temperatures:
        soft = F.softmax(logits / T, 1)
        for alpha in alphas:
            for seed in seeds:
                def loss(z, yb, idx, T=T, alpha=alpha, soft=soft):
                    kl = F.kl_div(F.log_softmax(z / T, 1), soft[idx], reduction="batchmean")
                    return alpha * F.cross_entropy(z, yb) + (1 - alpha) * T * T * kl
                torch.manual_seed(seed)
                student = mlp([784, 256, 256, 10])
                val = train(student, x, y, loss, STUDENT_EPOCHS, xv, yv, seed)
                results.setdefault((T, alpha), []).append((val[-1], accuracy(student, xt, yt)))
    best = max(results.items(), key=lambda kv: np.mean([v for v, _ in kv[1]]))
    print(json.dumps({"seconds": time.perf_counter() - start, "teacher_seconds": teacher_seconds,
                      "trials": sum(len(v) for v in results.values()),
                      "best": {"temperature": best[0][0], "alpha": best[0][1],
                               "test_accuracy": float(np.mean([t for _, t in best[1]]))}}))


if __name__ == "__main__":
    main()
