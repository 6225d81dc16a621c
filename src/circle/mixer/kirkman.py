"""Tabled base rounds of complete resolvable designs, for the orders no formula of :mod:`.resolvable` gives.

Each entry (k, v) is a base round over Z_m x levels: point (x, level j) is j*m + x and -1 the
fixed point, blocks separated by commas. Developed by adding 1 mod m to every point (the fixed
point stays) it gives m rounds; each extra block "0 a b ..." (one point on each level) gives
one more round, its m translates. Together: every pair of the v points exactly once.

- k = 3, v = 2m + 1 (15, 51, 63): Z_m x {0, 1} and a fixed point, the fixed point's block
  {-1, 0, m} in the base round; m rounds = (v - 1) / 2.
- k = 3, v = 3m (33, 45, 69): Z_m x {0, 1, 2}, a base round and (m - 1) / 2 transversal blocks.
- k = 4, v = 3m + 1 (28, 40, 88): Z_m x {0, 1, 2} and a fixed point; m rounds = (v - 1) / 3.
- k = 4, v = 52: Z_13 x {0, 1, 2, 3}, a base round and 4 transversal blocks: 13 + 4 = 17 rounds.

These are the cyclic (1-rotational) forms of Kirkman triple systems and resolvable (v, 4, 1)
designs (the base rounds of 40, 52 and 88 are also unchanged by multiplying every x by a unit of
order 3, 3 and 7 mod m, which made them quick to find); the base rounds were found by an
exact-cover search over the differences (each difference of each pair of levels used exactly
once) and are checked, pair by pair, by tests/test_designs.py.
"""

from __future__ import annotations

Base = list[list[int]]


def _blocks(text: str) -> Base:
    return [[int(p) for p in block.split()] for block in text.split(",") if block.strip()]


def _entry(m: int, levels: int, base: str, orbits: str = "") -> tuple[int, int, Base, Base]:
    return m, levels, _blocks(base), _blocks(orbits)


_TABLE: dict[tuple[int, int], tuple[int, int, Base, Base]] = {
    (3, 15): _entry(
        7,
        2,
        "-1 0 7, 1 3 9, 4 5 8, 2 6 11, 10 12 13",
    ),
    (3, 33): _entry(
        11,
        3,
        ("0 16 28, 11 1 12, 18 15 20, 19 2 4, 13 5 29, 14 21 31, 17 25 32, 23 26 24, 30 9 3,27 8 22, 6 7 10"),
        "0 13 31, 0 12 26, 0 18 29, 0 14 23, 0 20 22",
    ),
    (3, 45): _entry(
        15,
        3,
        (
            "0 6 20, 3 7 36, 14 15 16, 8 30 31, 10 5 13, 9 11 17, 2 1 26, 12 33 37, 4 38 32, 39 44 42,"
            "41 27 34, 40 21 24, 35 22 29, 18 28 43, 19 23 25"
        ),
        "0 27 39, 0 28 31, 0 22 42, 0 19 30, 0 15 32, 0 26 35, 0 18 41",
    ),
    (3, 51): _entry(
        25,
        2,
        (
            "-1 0 25, 1 35 48, 49 13 28, 42 23 43, 33 4 39, 31 14 26, 41 18 32, 46 3 19, 34 10 36,"
            "44 27 30, 29 21 24, 45 17 38, 37 6 47, 40 2 8, 11 12 16, 9 7 20, 15 22 5"
        ),
    ),
    (3, 63): _entry(
        31,
        2,
        (
            "-1 0 31, 1 4 59, 18 17 36, 6 29 35, 27 11 37, 23 5 25, 15 47 60, 20 13 41, 24 2 28,"
            "12 34 51, 21 55 56, 14 8 54, 3 22 45, 7 32 43, 16 30 46, 26 33 39, 19 9 52, 10 58 61,"
            "44 48 53, 38 40 50, 42 49 57"
        ),
    ),
    (3, 69): _entry(
        23,
        3,
        (
            "0 19 52, 21 18 42, 5 54 56, 6 40 63, 13 60 61, 7 2 43, 17 48 67, 8 36 66, 4 10 11,"
            "20 12 32, 16 55 30, 14 23 57, 1 3 15, 22 25 9, 64 26 29, 47 53 62, 50 34 45, 51 46 58,"
            "65 68 44, 49 41 59, 35 28 33, 27 31 37, 24 38 39"
        ),
        ("0 25 68, 0 33 59, 0 23 55, 0 45 67, 0 38 65, 0 31 60, 0 42 61, 0 27 64, 0 40 53, 0 29 46,0 30 63"),
    ),
    (4, 28): _entry(
        9,
        3,
        "-1 0 9 18, 3 6 10 17, 2 7 24 21, 8 11 16 1, 4 20 5 25, 22 12 15 23, 13 14 19 26",
    ),
    (4, 40): _entry(
        13,
        3,
        (
            "-1 0 13 26, 1 10 28 35, 3 4 27 32, 9 12 29 31, 2 8 18 23, 6 11 15 17, 5 7 19 25,"
            "14 24 30 34, 16 20 37 38, 21 22 33 36"
        ),
    ),
    (4, 52): _entry(
        13,
        4,
        (
            "0 46 47 50, 1 5 22 32, 2 3 14 31, 4 10 12 39, 6 9 16 28, 7 25 27 43, 8 23 29 51,"
            "11 17 35 49, 13 15 18 19, 20 34 42 44, 21 37 41 48, 24 33 40 45, 26 30 36 38"
        ),
        "0 13 26 39, 0 16 36 41, 0 22 30 45, 0 14 38 44",
    ),
    (4, 88): _entry(
        29,
        3,
        (
            "-1 0 29 58, 1 17 73 79, 11 16 66 75, 2 24 69 70, 3 7 60 76, 19 25 61 85, 14 23 77 84,"
            "20 21 68 72, 4 18 38 44, 6 27 37 57, 9 26 41 42, 10 28 34 47, 13 15 51 56, 5 8 33 55,"
            "12 22 35 39, 30 32 62 74, 45 48 64 82, 43 53 65 67, 36 50 83 86, 46 54 71 81,"
            "40 52 63 78, 31 49 59 80"
        ),
    ),
}
