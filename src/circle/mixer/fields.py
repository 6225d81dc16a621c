"""Finite fields GF(q), q a prime power, on the numbers 0..q-1: what the constructions count in."""

from __future__ import annotations

from collections.abc import Iterator


def _prime_power(q: int) -> tuple[int, int] | None:
    if q < 2:
        return None
    p = next(d for d in range(2, q + 1) if q % d == 0)
    m, rest = 0, q
    while rest % p == 0:
        rest //= p
        m += 1
    return (p, m) if rest == 1 else None


def _poly_mod(a: list[int], mod: list[int], p: int) -> list[int]:
    a = list(a)
    while len(a) >= len(mod):
        c = a[-1]
        if c:
            shift = len(a) - len(mod)
            for i, m in enumerate(mod):
                a[shift + i] = (a[shift + i] - c * m) % p
        a.pop()
    return a


def _irreducible(p: int, m: int) -> list[int]:
    """A monic irreducible polynomial of degree m over GF(p), coefficients lowest first."""

    def monic(degree: int) -> Iterator[list[int]]:
        for k in range(p**degree):
            yield [(k // p**i) % p for i in range(degree)] + [1]

    for poly in monic(m):
        if poly[0] == 0:
            continue
        if all(any(_poly_mod(poly, d, p)) for degree in range(1, m // 2 + 1) for d in monic(degree)):
            return poly
    raise AssertionError(f"no irreducible polynomial of degree {m} over GF({p})")  # there always is one


class _Field:
    """GF(q) on 0..q-1: the base-p digits of an element are its polynomial's coefficients."""

    def __init__(self, q: int) -> None:
        pm = _prime_power(q)
        assert pm is not None
        self.q, (self.p, self.m) = q, pm
        self.poly = _irreducible(self.p, self.m) if self.m > 1 else []

    def _digits(self, a: int) -> list[int]:
        return [(a // self.p**i) % self.p for i in range(self.m)]

    def _number(self, digits: list[int]) -> int:
        return sum(d * self.p**i for i, d in enumerate(digits))

    def add(self, a: int, b: int) -> int:
        if self.m == 1:
            return (a + b) % self.p
        return self._number([(x + y) % self.p for x, y in zip(self._digits(a), self._digits(b), strict=True)])

    def mul(self, a: int, b: int) -> int:
        if self.m == 1:
            return a * b % self.p
        x, y = self._digits(a), self._digits(b)
        product = [0] * (2 * self.m - 1)
        for i, u in enumerate(x):
            if u:
                for j, v in enumerate(y):
                    product[i + j] = (product[i + j] + u * v) % self.p
        reduced = _poly_mod(product, self.poly, self.p)
        return self._number(reduced + [0] * (self.m - len(reduced)))


def _tables(q: int) -> tuple[list[list[int]], list[list[int]]]:
    """Addition and multiplication tables of GF(q)."""
    field = _Field(q)
    add = [[field.add(a, b) for b in range(q)] for a in range(q)]
    mul = [[field.mul(a, b) for b in range(q)] for a in range(q)]
    return add, mul


def _primitive(q: int, mul: list[list[int]]) -> int:
    """An element of GF(q) whose powers are every nonzero element."""
    for x in range(2 if q > 2 else 1, q):
        y, order = x, 1
        while y != 1:
            y, order = mul[y][x], order + 1
        if order == q - 1:
            return x
    raise AssertionError(f"GF({q}) has no primitive element")  # every finite field has one
