"""Romano-Wolf step-down and Holm adjusted p-values on fixed statistics, for
Tests/EstimatorsTests/MultipleTestingTests.swift.

An independent, vectorised numpy implementation of Romano & Wolf (2005, Econometrica 73:1237,
Algorithm 4.1) with the add-one rule (1 + c)/(1 + B) and the joint-validity rule of DiDLab
(a draw counts only when every hypothesis' statistic is finite), and of Holm (1979).
Run: python3 scripts/reference/romano_wolf_stepdown.py  (numpy >= 1.20; no randomness).
"""
import numpy as np

D, B = 3, 40
b = np.arange(B)
draws = np.array([((37 * b + 11 * d) % 23) / 5.0 for d in range(D)], dtype=float)
draws[1, 5] = np.nan  # one failed draw: dropped for every hypothesis
observed = np.array([4.1, 3.3, 4.5])

valid = np.all(np.isfinite(draws), axis=0)
T = draws[:, valid]
order = np.argsort(-observed, kind="stable")
adjusted = np.empty(D)
running = 0.0
for step, index in enumerate(order):
    members = order[step:]
    maxima = T[members, :].max(axis=0)
    threshold = observed[index] - 1e-7 * abs(observed[index])
    p = (1 + np.sum(maxima >= threshold)) / (1 + T.shape[1])
    running = max(running, p)
    adjusted[index] = running
print("valid draws", int(valid.sum()))
print("romano-wolf", [repr(float(x)) for x in adjusted])
# Marginal permutation p-values and Holm on them.
marginal = np.array([(1 + np.sum(T[d] >= observed[d] - 1e-7 * abs(observed[d]))) / (1 + T.shape[1]) for d in range(D)])
o = np.argsort(marginal, kind="stable")
holm = np.empty(D)
running = 0.0
for rank, index in enumerate(o):
    running = max(running, (D - rank) * marginal[index])
    holm[index] = min(1.0, running)
print("marginal", [repr(float(x)) for x in marginal])
print("holm", [repr(float(x)) for x in holm])
