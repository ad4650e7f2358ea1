"""Resampling a float picture with Pillow (shrinking, resizing, fitting a side),
and the bounding box and fitted size of a digit.

Shared by the preparation of a digit (``_images.py``), the paper's cleaning
(``_paper.py``), the strokes' correction (``_strokes.py``) and the 8x8 reduction
(``_bundled_digits.py``); grey levels stay floats throughout.
"""

import math

import numpy as np

from ._picture_io import import_pillow


def shrink(grey, side):
    """Shrink by area averaging (an integer factor) to at most ``side`` pixels."""
    factor = math.ceil(max(grey.shape) / side)
    if factor <= 1:
        return grey
    Image, _ = import_pillow()
    reduced = Image.fromarray(grey.astype(np.float32)).reduce(factor)
    return np.asarray(reduced, dtype=np.float64)


def resize(array, shape, resample):
    """Resize a float array with Pillow to ``shape`` (rows, columns)."""
    Image, _ = import_pillow()
    image = Image.fromarray(array.astype(np.float32))
    resized = image.resize((shape[1], shape[0]), resample)
    return np.asarray(resized, dtype=np.float64)


def resize_to_side(array, side):
    """Shrink by box averaging so that the longer side is at most ``side``."""
    Image, _ = import_pillow()
    scale = side / max(array.shape)
    if scale >= 1:
        return array
    shape = tuple(max(1, round(length * scale)) for length in array.shape)
    return resize(array, shape, Image.Resampling.BOX)


def bounding_box(mask):
    """The slices of the smallest box holding every true pixel of ``mask``
    (which must hold one)."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return np.s_[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def fitted_size(shape, side):
    """``(height, width)`` of a picture of ``shape`` resized so that its longer
    side is ``side``, the aspect ratio kept."""
    height, width = shape
    scale = side / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))
