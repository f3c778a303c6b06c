#!/usr/bin/env python3
"""Reference p-values for SignedRankTestTest, from SciPy (Debian's python3-scipy 1.10).

Two-sided Wilcoxon signed-rank test, zero differences dropped (zero_method='wilcox'):
- no ties, no zeros, n <= 50: scipy.stats.wilcoxon(d, mode='exact');
- ties or zeros: the exact permutation distribution of T+ over all sign flips of the
  average ranks, by scipy.stats.permutation_test (SciPy 1.10's wilcoxon has no exact mode
  for ties);
- more than 50 non-zero pairs: scipy.stats.wilcoxon(d, mode='approx', correction=False).
Writes harness/src/test/resources/wilcoxon-scipy.csv: differences separated by ';', then p.
Usage: /usr/bin/python3 harness/scripts/wilcoxon-fixtures.py
"""
import os
import numpy as np
from scipy import stats

rng = np.random.default_rng(7)
cases = [
    [0.01, 0.02, 0.03],                 # three pairs, all one way: the smallest p three pairs give
    [0.005, -0.003, 0.001],              # three pairs, mixed
    [0.0, 0.01, -0.02],                 # a zero difference (dropped)
    [0.0, 0.0, 0.015],                  # two zeros
    [0.01, -0.01, 0.02, 0.02, 0.03],    # ties in |d|
    [0.004, 0.004, 0.004, -0.004],      # all tied
    [0.012, -0.004, 0.021, 0.008, 0.0, 0.017, -0.009, 0.013],
    list(np.round(rng.normal(0.003, 0.01, 10), 4)),
    list(np.round(rng.normal(0.002, 0.01, 20), 3)),      # rounding makes ties
    list(np.round(rng.normal(0.001, 0.01, 60), 3)),      # above 50: normal approximation
]


def r_plus(d):
    d = d[d != 0]
    ranks = stats.rankdata(np.abs(d))
    return ranks[d > 0].sum()


rows = []
for d in cases:
    d = np.array(d, dtype=float)
    nz = d[d != 0]
    ties = len(np.unique(np.abs(nz))) < len(nz)
    if len(nz) == 1:
        p = 1.0  # T+ is 0 or its one rank, each with probability 1/2: p = min(1, 2 * 1/2)
    elif len(nz) > 50:
        p = stats.wilcoxon(d, mode="approx", correction=False).pvalue
    elif ties or len(nz) < len(d):
        res = stats.permutation_test((nz,), r_plus, permutation_type="samples", n_resamples=np.inf,
                                     alternative="two-sided")
        p = min(1.0, res.pvalue)
    else:
        p = stats.wilcoxon(d, mode="exact").pvalue
    rows.append(";".join(repr(float(v)) for v in d) + "," + repr(float(p)))

out = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "wilcoxon-scipy.csv")
with open(out, "w") as f:
    f.write("# differences;...,two-sided p (SciPy " + __import__("scipy").__version__ + "); see harness/scripts/wilcoxon-fixtures.py\n")
    f.write("\n".join(rows) + "\n")
print(open(out).read())
