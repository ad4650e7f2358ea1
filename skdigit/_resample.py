"""Resampling a float picture with Pillow: shrinking, resizing, fitting a side.

Shared by the preparation of a digit (``_images.py``) and the paper's cleaning
(``_paper.py``); grey levels stay floats throughout.
"""

import math

import numpy as np

from ._picture_io import _import_pillow


def shrink(grey, side):
    """Shrink by area averaging (an integer factor) to at most ``side`` pixels."""
    factor = math.ceil(max(grey.shape) / side)
    if factor <= 1:
        return grey
    Image, _ = _import_pillow()
    reduced = Image.fromarray(grey.astype(np.float32)).reduce(factor)
    return np.asarray(reduced, dtype=np.float64)


def resize(array, shape, resample):
    """Resize a float array with Pillow to ``shape`` (rows, columns)."""
    Image, _ = _import_pillow()
    image = Image.fromarray(array.astype(np.float32))
    resized = image.resize((shape[1], shape[0]), resample)
    return np.asarray(resized, dtype=np.float64)


def resize_to_side(array, side):
    """Shrink by box averaging so that the longer side is at most ``side``."""
    Image, _ = _import_pillow()
    scale = side / max(array.shape)
    if scale >= 1:
        return array
    shape = tuple(max(1, round(length * scale)) for length in array.shape)
    return resize(array, shape, Image.Resampling.BOX)
