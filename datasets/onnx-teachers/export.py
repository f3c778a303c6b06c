#!/usr/bin/env python3
"""Trains two small teachers in PyTorch on the shipped Fashion-MNIST subset and exports them to ONNX,
with their hint layers as extra outputs, for kd-harness's ONNX-teacher tests and as an example of
bringing your own teacher.

  mlp.onnx     784-128-64-10 MLP (ReLU); outputs: logits, h1 [128], h2 [64]
  resnet.onnx  resnet8 (width 1, BatchNorm, as kd-harness and RepDistiller build it); outputs:
               logits, stage3 [64, 7, 7], pool [64]
  *.logits.csv torch's logits (eval mode) on the first 256 test images, one row per image, to
               check an importer against (kd-harness's OnnxTeacherTest: equal to 1e-4)

Input: [n, 784] rows of pixels in [0, 1], row-major 28 x 28, as kd-harness loads IDX images.
Run with Debian's python3-torch: /usr/bin/python3 datasets/onnx-teachers/export.py
"""
import gzip
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
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


class Block(nn.Module):
    def __init__(self, i, o, stride):
        super().__init__()
        self.c1, self.b1 = nn.Conv2d(i, o, 3, stride, 1, bias=False), nn.BatchNorm2d(o)
        self.c2, self.b2 = nn.Conv2d(o, o, 3, 1, 1, bias=False), nn.BatchNorm2d(o)
        self.down = None if stride == 1 and i == o else nn.Sequential(nn.Conv2d(i, o, 1, stride, bias=False), nn.BatchNorm2d(o))

    def forward(self, x):
        y = self.b2(self.c2(F.relu(self.b1(self.c1(x)))))
        return F.relu(y + (x if self.down is None else self.down(x)))


class ResNet8(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem, self.bn = nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16)
        self.s1, self.s2, self.s3 = Block(16, 16, 1), Block(16, 32, 2), Block(32, 64, 2)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.bn(self.stem(x.view(-1, 1, 28, 28))))
        stage3 = self.s3(self.s2(self.s1(x)))
        pool = stage3.mean((2, 3))
        return self.fc(pool), stage3, pool


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
                                         ("resnet", ResNet8(), ["logits", "stage3", "pool"], 1)]:
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
