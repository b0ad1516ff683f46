"""Python mirror of utrain's portable random numbers and parameter initialisation, bit for bit.

- Rng mirrors core/rng.cpp (PCG32, XSH-RR output of a 64-bit LCG) and its float construction.
- init_bound / init_fill mirror layers/init.h and layers/init.cpp (bounds in float32).
- initialize_mlp mirrors Trainer::initialize (graph/trainer.h): parameter i draws from
  Rng(seed, i), in memory order; a Linear weight is he_uniform when the layer's output goes
  through ReLU or LeakyReLU, glorot_uniform otherwise; a bias is pytorch_bias.

Floats are numpy float32 so every rounding happens where the C++ rounds: the golden fixtures
store seeds instead of data, and the C++ tests regenerate the same data from them.
"""

import numpy as np

_MASK64 = (1 << 64) - 1
_MASK32 = (1 << 32) - 1
_MULTIPLIER = 6364136223846793005
_TWO_TO_MINUS_24 = np.float32(2.0**-24)


class Rng:
    """core/rng.h: Rng(seed, stream)."""

    def __init__(self, seed, stream=0):
        self._state = 0
        self._increment = ((stream << 1) | 1) & _MASK64
        self.next_u32()
        self._state = (self._state + seed) & _MASK64
        self.next_u32()

    def next_u32(self):
        old = self._state
        self._state = (old * _MULTIPLIER + self._increment) & _MASK64
        xorshifted = (((old >> 18) ^ old) >> 27) & _MASK32
        rot = old >> 59
        return ((xorshifted >> rot) | (xorshifted << ((32 - rot) & 31))) & _MASK32

    def next_u32_array(self, count):
        return np.array([self.next_u32() for _ in range(count)], dtype=np.int64)

    def uniform(self):
        """Uniform in [0, 1), a multiple of 2^-24."""
        return self.uniform_array(1)[0]

    def uniform_array(self, count):
        raw = self.next_u32_array(count)
        return (raw >> 8).astype(np.float32) * _TWO_TO_MINUS_24

    def uniform_symmetric(self, bound):
        """Uniform in [-bound, bound): (k / 2^24) * bound, k in [-2^24, 2^24)."""
        return self.uniform_symmetric_array(1, bound)[0]

    def uniform_symmetric_array(self, count, bound):
        # k / 2^24 is exact in float32 (|k| <= 2^24); the product with the bound rounds once.
        k = (self.next_u32_array(count) >> 8) * 2 - (1 << 24)
        return (k.astype(np.float32) * _TWO_TO_MINUS_24) * np.float32(bound)

    def below(self, n):
        """Uniform integer in [0, n), rejecting the top partial copy of [0, n)."""
        limit = ((1 << 32) - n) % n
        while True:
            r = self.next_u32()
            if r >= limit:
                return r % n


# layers/init.h: InitKind
ZEROS, HE_UNIFORM, GLOROT_UNIFORM, PYTORCH_BIAS, ONES = "zeros", "he_uniform", "glorot_uniform", "pytorch_bias", "ones"


def init_bound(kind, fan_in, fan_out):
    """The float32 bound b of U(-b, b), computed as layers/init.cpp computes it."""
    f32 = np.float32
    if kind in (ZEROS, ONES):
        return f32(0.0)
    if kind == HE_UNIFORM:
        return np.sqrt(f32(6.0) / f32(fan_in))
    if kind == GLOROT_UNIFORM:
        return np.sqrt(f32(6.0) / f32(fan_in + fan_out))
    if kind == PYTORCH_BIAS:
        return f32(1.0) / np.sqrt(f32(fan_in))
    raise ValueError(kind)


def init_fill(kind, rng, count, fan_in, fan_out):
    """`count` values drawn in array order, one draw each (no draw for zeros and ones)."""
    if kind == ZEROS:
        return np.zeros(count, dtype=np.float32)
    if kind == ONES:
        return np.ones(count, dtype=np.float32)
    return rng.uniform_symmetric_array(count, init_bound(kind, fan_in, fan_out))


def initialize_mlp(seed, layers):
    """Trainer::initialize for a sequence of Linear layers.

    `layers` lists (in_features, out_features, has_bias, followed_by_relu) in node order, where
    followed_by_relu means the next node is ReLU or LeakyReLU. Returns the parameters in
    Trainer::parameter() order (weight then bias per layer), weights shaped out × in.
    """
    params = []
    for fan_in, fan_out, has_bias, followed_by_relu in layers:
        kind = HE_UNIFORM if followed_by_relu else GLOROT_UNIFORM
        weight = init_fill(kind, Rng(seed, len(params)), fan_in * fan_out, fan_in, fan_out)
        params.append(weight.reshape(fan_out, fan_in))
        if has_bias:
            params.append(init_fill(PYTORCH_BIAS, Rng(seed, len(params)), fan_out, fan_in, fan_out))
    return params
