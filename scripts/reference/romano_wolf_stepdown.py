"""Romano-Wolf step-down (min-P form) and Holm adjusted p-values on fixed statistics, for
Tests/EstimatorsTests/MultipleTestingTests.swift.

An independent, vectorised numpy implementation of Romano & Wolf (2005, Econometrica 73:1237,
Algorithm 4.1; 2016) in the min-P form of Westfall & Young (1993, Algorithm 2.8), with DiDLab's
rules: a draw counts only when every hypothesis' statistic is finite (B such draws); each member
b of {observed, draw 1..B} of hypothesis d gets the count c[d, b] = #{b' : T[d, b'] >= T[d, b] -
1e-7 |T[d, b]|} over all B + 1 members (itself included), p = c / (1 + B) (the add-one rule for
the observed member); step j counts the draws whose min over the remaining hypotheses of c is
<= the observed c of the hypothesis of rank j, q_j = (1 + that) / (1 + B), running max.
Counts are found here by a full (B+1) x (B+1) comparison matrix (the Swift code sorts and
binary-searches). Also Holm (1979) on the marginal p-values.
Run: python3 scripts/reference/romano_wolf_stepdown.py  (numpy >= 1.20; no randomness).
"""
import numpy as np


def counts(members):
    """c[b] = #{b' : members[b'] >= members[b] - 1e-7 |members[b]|}, itself included."""
    threshold = members - 1e-7 * np.abs(members)
    return (members[None, :] >= threshold[:, None]).sum(axis=1)


def romano_wolf_min_p(observed, draws):
    valid = np.all(np.isfinite(draws), axis=0)
    T = draws[:, valid]
    B = T.shape[1]
    C = np.array([counts(np.concatenate(([observed[d]], T[d]))) for d in range(len(observed))])
    order = np.argsort(C[:, 0], kind="stable")
    adjusted = np.empty(len(observed))
    running = 0.0
    for step, index in enumerate(order):
        members = order[step:]
        minima = C[members, 1:].min(axis=0)
        q = (1 + np.sum(minima <= C[index, 0])) / (1 + B)
        running = max(running, q)
        adjusted[index] = running
    return adjusted, int(valid.sum())


D, B = 3, 40
b = np.arange(B)
draws = np.array([((37 * b + 11 * d) % 23) / 5.0 for d in range(D)], dtype=float)
draws[1, 5] = np.nan  # one failed draw: dropped for every hypothesis
observed = np.array([4.1, 3.3, 4.5])

adjusted, valid_count = romano_wolf_min_p(observed, draws)
print("valid draws", valid_count)
print("romano-wolf", [repr(float(x)) for x in adjusted])
# Marginal permutation p-values (over the jointly valid draws) and Holm on them.
valid = np.all(np.isfinite(draws), axis=0)
T = draws[:, valid]
marginal = np.array([(1 + np.sum(T[d] >= observed[d] - 1e-7 * abs(observed[d]))) / (1 + T.shape[1]) for d in range(D)])
o = np.argsort(marginal, kind="stable")
holm = np.empty(D)
running = 0.0
for rank, index in enumerate(o):
    running = max(running, (D - rank) * marginal[index])
    holm[index] = min(1.0, running)
print("marginal", [repr(float(x)) for x in marginal])
print("holm", [repr(float(x)) for x in holm])

