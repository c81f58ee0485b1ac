# Reference values for Dcgan.Tests.Samples.QualityReferenceTests, computed independently of our C# code in float64 with
# torch, and kept as data (quality_reference.json) so that the tests need no Python.
#
#   /usr/bin/python3 quality_reference.py > quality_reference.json     (Debian's python3-torch)
#
# Fréchet distance d² = |mu1 - mu2|² + tr(S1 + S2 - 2 (S1 S2)^½): the covariances by torch.cov (unbiased, as numpy.cov),
# tr (S1 S2)^½ as the sum of square roots of the eigenvalues of the non-symmetric product S1 S2 (torch.linalg.eigvals, a
# general eigen solver), cross-checked against sqrtm(S1) S2 sqrtm(S1) by torch.linalg.eigh, the route our code takes.
# Classifier score exp(mean_i KL(p_i || mean_j p_j)), with 0 log 0 = 0 (torch.xlogy).
import json
import sys

import torch

torch.set_default_dtype(torch.float64)


def frechet(a, b):
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = torch.cov(a.T), torch.cov(b.T)
    eig = torch.linalg.eigvals(s1 @ s2)
    trace_root = eig.real.clamp(min=0).sqrt().sum()
    # The symmetric route, as a check of the reference itself.
    w, v = torch.linalg.eigh(s1)
    root = v @ torch.diag(w.clamp(min=0).sqrt()) @ v.T
    trace_root_sym = torch.linalg.eigvalsh(root @ s2 @ root).clamp(min=0).sqrt().sum()
    assert abs(trace_root - trace_root_sym) <= 1e-10 * abs(trace_root), (trace_root, trace_root_sym)
    assert eig.imag.abs().max() <= 1e-9 * eig.real.abs().max()
    d = ((mu1 - mu2) ** 2).sum() + torch.trace(s1) + torch.trace(s2) - 2 * trace_root
    return max(d.item(), 0.0)


def score(p):
    marginal = p.mean(0, keepdim=True)
    kl = (torch.xlogy(p, p) - torch.xlogy(p, marginal)).sum(1)
    return torch.exp(kl.mean()).item()


def rows(t):
    return [[float(x) for x in row] for row in t.tolist()]


g = torch.Generator().manual_seed(20240611)
cases = []

# Two clouds with different means, scales and (non-commuting) covariances.
a = torch.randn(60, 6, generator=g)
b = torch.randn(45, 6, generator=g) @ torch.randn(6, 6, generator=g) * 0.7 + 0.5
cases.append(("shifted-and-mixed", a, b))
# Close sets: two draws from one distribution (the distance is small and rounding matters more).
m = torch.randn(8, 8, generator=g)
cases.append(("same-distribution", torch.randn(200, 8, generator=g) @ m, torch.randn(150, 8, generator=g) @ m))
# Non-negative, ReLU-like features with exact zeros, as the classifier's penultimate layer gives.
cases.append(("relu-features", torch.relu(torch.randn(80, 10, generator=g) * 2 + 0.5), torch.relu(torch.randn(70, 10, generator=g) * 1.5)))

frechet_cases = []
for name, x, y in cases:
    frechet_cases.append({"name": name, "dimension": x.shape[1], "a": rows(x), "b": rows(y), "distance": frechet(x, y)})

score_cases = []
logits = torch.randn(40, 10, generator=g) * 3
score_cases.append(("softmax-of-random-logits", torch.softmax(logits, 1)))
peaked = torch.zeros(30, 10)
peaked[torch.arange(30), torch.arange(30) % 7] = 1.0
score_cases.append(("one-hot-over-seven-classes", peaked))
mixed = torch.softmax(torch.randn(25, 10, generator=g), 1)
mixed[::5] = 0.0
mixed[::5, 3] = 1.0
score_cases.append(("soft-rows-and-one-hot-rows", mixed))

json.dump({
    "generator": "Dcgan.Tests/Samples/QualityReference/quality_reference.py with torch " + torch.__version__ + ", float64",
    "frechet": frechet_cases,
    "score": [{"name": name, "classes": p.shape[1], "probabilities": rows(p), "score": score(p)} for name, p in score_cases],
}, sys.stdout)
sys.stdout.write("\n")
