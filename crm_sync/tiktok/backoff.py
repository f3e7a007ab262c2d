"""Retry delays for outbox rows: exponential, capped, with jitter. Pure: the caller passes ``rng``."""

import random


def retry_delay(*, attempts: int, base: float, cap: float, rng: random.Random) -> float:
    """Seconds to wait after the ``attempts``-th failed try.

    "Equal jitter": half the exponential step is fixed, half random, so rows failed together spread
    out but never retry sooner than half the step. The step is ``base * 2**(attempts-1)``, capped.
    """
    step = min(cap, base * (2 ** max(0, attempts - 1)))
    return step / 2 + rng.uniform(0, step / 2)
