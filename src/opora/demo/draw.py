"""Seeded drawing helpers shared by the demo's stages."""

import random
import uuid


def weighted(rng: random.Random, weights: dict):
    """One key of ``weights``, drawn with the probability of its weight."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def deterministic_uuid(rng: random.Random) -> uuid.UUID:
    """A version-4 uuid drawn from ``rng``, so a rebuilt demo keeps its identifiers."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def allocate(total: int, weights: list[int], minimums: list[int]) -> list[int]:
    """Split ``total`` by ``weights`` (largest remainder), each part at least its minimum."""
    left = max(0, total - sum(minimums))
    weight_sum = sum(weights) or 1
    shares = [left * w / weight_sum for w in weights]
    parts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: shares[i] - parts[i], reverse=True)
    for i in order[:left - sum(parts)]:
        parts[i] += 1
    return [m + p for m, p in zip(minimums, parts, strict=True)]
