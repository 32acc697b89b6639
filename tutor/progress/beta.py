"""The Beta distribution, computed here (no scipy): its CDF, its quantiles, and the Beta-Binomial.

``beta_cdf`` is the regularized incomplete beta function I_x(a, b), evaluated by the continued
fraction of Numerical Recipes (``betacf``, modified Lentz), on the side of the symmetry
I_x(a, b) = 1 - I_{1-x}(b, a) where it converges fast (x < (a + 1) / (a + b + 2)). Parameters
may be fractional (recency-weighted counts are). ``beta_ppf`` inverts it by Newton steps kept
inside a shrinking bracket, so it cannot wander off even where the density is steep.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

_TINY = 1e-300
_EPS = 1e-15
_MAX_TERMS = 10_000


def log_beta(a: float, b: float) -> float:
    """ln B(a, b) = ln Γ(a) + ln Γ(b) - ln Γ(a + b)."""
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def _betacf(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b) (Numerical Recipes 6.4), by the modified Lentz method."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, _MAX_TERMS + 1):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        step = d * c
        h *= step
        if abs(step - 1.0) < _EPS:
            return h
    raise ArithmeticError(f"the continued fraction for I_{x}({a}, {b}) did not converge")


def beta_cdf(x: float, a: float, b: float) -> float:
    """P(X <= x) for X ~ Beta(a, b), a, b > 0: the regularized incomplete beta function I_x(a, b)."""
    if a <= 0 or b <= 0:
        raise ValueError(f"Beta parameters must be positive, not ({a}, {b})")
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(a * math.log(x) + b * math.log1p(-x) - log_beta(a, b))
    if x < (a + 1.0) / (a + b + 2.0):
        return min(1.0, front * _betacf(a, b, x) / a)
    return max(0.0, 1.0 - front * _betacf(b, a, 1.0 - x) / b)


def beta_pdf(x: float, a: float, b: float) -> float:
    if x <= 0.0 or x >= 1.0:
        return 0.0
    return math.exp((a - 1.0) * math.log(x) + (b - 1.0) * math.log1p(-x) - log_beta(a, b))


def beta_ppf(q: float, a: float, b: float, tol: float = 1e-12) -> float:
    """The x with I_x(a, b) = q (the q-quantile of Beta(a, b)), to a relative ``tol``.

    A quantile above the mean is found as 1 - (the lower quantile of Beta(b, a)), so the search
    always works on the side nearer 0, where a relative tolerance means something even for x of
    1e-17."""
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"a quantile's probability must be in [0, 1], not {q}")
    if q == 0.0:
        return 0.0
    if q == 1.0:
        return 1.0
    mean = a / (a + b)
    if q <= beta_cdf(mean, a, b):
        return _quantile_below(q, a, b, mean, tol)
    return 1.0 - _quantile_below(1.0 - q, b, a, 1.0 - mean, tol)


def _quantile_below(q: float, a: float, b: float, high: float, tol: float) -> float:
    """The q-quantile of Beta(a, b), known to lie in (0, high]: Newton steps kept in a shrinking bracket."""
    low = 0.0
    # Start from the normal approximation with the Beta's mean and spread, kept inside the bracket.
    spread = math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1.0)))
    x = min(max(a / (a + b) + spread * normal_ppf(q), high * 1e-6), high * (1 - 1e-9))
    for _ in range(400):
        error = beta_cdf(x, a, b) - q
        if error == 0.0:
            return x
        if error > 0:
            high = x
        else:
            low = x
        if high - low <= tol * high:
            break
        density = beta_pdf(x, a, b)
        guess = x - error / density if density > 0 else -1.0
        if not low < guess < high:  # Newton left the bracket: bisect (by scale while near 0)
            guess = (low + high) / 2 if low > 0 else high / 16
        elif abs(guess - x) <= tol * guess:
            return guess
        x = guess
    return (low + high) / 2


def normal_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def normal_ppf(p: float) -> float:
    """The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9)."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be in (0, 1), not {p}")
    a = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
         1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00)
    b = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
         6.680131188771972e+01, -1.328068155288572e+01)
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
         -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00)
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00)
    if p < 0.02425:
        s = math.sqrt(-2 * math.log(p))
        return (((((c[0] * s + c[1]) * s + c[2]) * s + c[3]) * s + c[4]) * s + c[5]) / \
            ((((d[0] * s + d[1]) * s + d[2]) * s + d[3]) * s + 1)
    if p > 1 - 0.02425:
        return -normal_ppf(1 - p)
    s = p - 0.5
    r = s * s
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * s / \
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)


def beta_binomial_pmf(n: int, a: float, b: float) -> list[float]:
    """P(K = k), k = 0..n, for K ~ Beta-Binomial(n, a, b): n trials at a rate drawn from Beta(a, b)."""
    base = -log_beta(a, b)
    pmf = [math.exp(math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
                    + log_beta(k + a, n - k + b) + base) for k in range(n + 1)]
    total = sum(pmf)
    return [p / total for p in pmf]


def convolve(first: Sequence[float], second: Sequence[float]) -> list[float]:
    """The distribution of the sum of two independent counts, each given as a list of P(K = k)."""
    result = [0.0] * (len(first) + len(second) - 1)
    for i, p in enumerate(first):
        if p:
            for j, q in enumerate(second):
                result[i + j] += p * q
    return result
