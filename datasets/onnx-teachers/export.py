#!/usr/bin/env python3
"""Trains two small teachers in PyTorch on the shipped Fashion-MNIST subset and exports them to ONNX,
with their hint layers as extra outputs, for kd-harness's ONNX-teacher tests and as an example of
bringing your own teacher.

  mlp.onnx     784-128-64-10 MLP (ReLU); outputs: logits, h1 [128], h2 [64]
  resnet.onnx  resnet8 (width 1, BatchNorm, as kd-harness and RepDistiller build it); outputs:
               logits, stage1 [16, 28, 28], stage2 [32, 14, 14], stage3 [64, 7, 7], pool [64]
  *.logits.csv torch's logits (eval mode) on the first 256 test images, one row per image, to
               check an importer against (kd-harness's OnnxTeacherTest: equal to 1e-4)

Input: [n, 784] rows of pixels in [0, 1], row-major 28 x 28, as kd-harness loads IDX images.
Run with Debian's python3-torch: /usr/bin/python3 datasets/onnx-teachers/export.py
"""
import gzip
import os

import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "harness", "bench"))
from torch_bench import ResNet  # noqa: E402  (one definition of the resnet for the bench and these fixtures)
DATA = os.path.join(HERE, "..", "fashion-mnist-small")


def read_idx(name):
    with gzip.open(os.path.join(DATA, name + ".gz"), "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1, self.l2, self.out = nn.Linear(784, 128), nn.Linear(128, 64), nn.Linear(64, 10)

    def forward(self, x):
        h1 = F.relu(self.l1(x))
        h2 = F.relu(self.l2(h1))
        return self.out(h2), h1, h2


class ResNet8(nn.Module):
    """The benchmark's resnet (harness/bench/torch_bench.py, as kd-harness builds it) at depth 8, width 1, returning
    its logits with the exported taps."""

    def __init__(self):
        super().__init__()
        self.net = ResNet(8, [16, 16, 32, 64])

    def forward(self, x):
        h = F.relu(self.net.bn(self.net.stem(x.view(-1, 1, 28, 28))))
        stages = []
        for s in self.net.stages:
            h = s(h)
            stages.append(h)
        pool = h.mean((2, 3))
        return (self.net.fc(pool), *stages, pool)


def train(model, x, y, epochs):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(1)
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), 128):
            idx = order[i:i + 128]
            opt.zero_grad()
            F.cross_entropy(model(x[idx])[0], y[idx]).backward()
            opt.step()
    model.eval()


def main():
    torch.manual_seed(0)
    x = torch.from_numpy(read_idx("train-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255.0)
    y = torch.from_numpy(read_idx("train-labels-idx1-ubyte").astype(np.int64))
    xt = torch.from_numpy(read_idx("t10k-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255.0)[:256]
    for name, model, outputs, epochs in [("mlp", Mlp(), ["logits", "h1", "h2"], 3),
                                         ("resnet", ResNet8(), ["logits", "stage1", "stage2", "stage3", "pool"], 1)]:
        train(model, x, y, epochs)
        path = os.path.join(HERE, name + ".onnx")
        torch.onnx.export(model, xt[:2], path, input_names=["x"], output_names=outputs,
                          dynamic_axes={k: {0: "n"} for k in ["x"] + outputs}, opset_version=13)
        with torch.no_grad():
            logits = model(xt)[0].numpy()
        np.savetxt(os.path.join(HERE, name + ".logits.csv"), logits, delimiter=",", fmt="%.8e")
        accuracy = (model(xt)[0].argmax(1).numpy() == read_idx("t10k-labels-idx1-ubyte")[:256]).mean()
        print(name, "exported to", path, os.path.getsize(path), "bytes; accuracy on the 256 images", accuracy)


if __name__ == "__main__":
    main()
