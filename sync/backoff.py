"""Exponential backoff with full jitter, so a fleet of tablets coming back online together
does not hammer the server in lockstep (pain point P9: retry storms)."""

from __future__ import annotations

import random

import msgspec


class Backoff(msgspec.Struct, kw_only=True):
    """Delays of ``uniform(0, min(max_s, base_s * factor ** attempt))``; reset on success."""

    base_s: float = 1.0
    max_s: float = 300.0
    factor: float = 2.0
    attempt: int = 0

    def next_delay_s(self, rng: random.Random) -> float:
        """The delay before the next attempt; each call makes the following one longer."""
        ceiling_s = min(self.max_s, self.base_s * self.factor**self.attempt)
        self.attempt += 1
        return rng.uniform(0.0, ceiling_s)

    def reset(self) -> None:
        """After a success, start again from the shortest delay."""
        self.attempt = 0
