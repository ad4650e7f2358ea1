"""Strokes as wide as MNIST's.

MNIST's digits were written with pens of much the same width relative to the
digit. Measured in the 28x28 images as twice the area over the perimeter of the
pixels above half the strokes' brightness, the middle half of the 60000 training
digits have strokes 1.65 to 2.33 pixels wide (``benchmarks/mnist_strokes.py``). A
user's digit may be drawn with a hair-thin pen, pencil, a marker or a drawing
app's thick brush: :func:`fitted_like_mnist` measures the strokes once the digit
is fitted in its 20x20 box and, when they fall outside that range, thickens (grey
dilation) or thins (grey erosion) them on the full-resolution crop, by as much as
brings them to the range's nearer end, and fits again. Working on the
full-resolution crop keeps the strokes' grey, anti-aliased edges.
"""

import numpy as np
from scipy import ndimage

from ._resample import bounding_box

# MNIST's strokes' width in pixels of the 28x28 images (25th and 75th
# percentiles over the training digits, benchmarks/mnist_strokes.py).
NARROWEST = 1.65
WIDEST = 2.33
# The crop's clearly inked pixels, after thinning, are those above this share of
# the strokes' cores (as for the first crop).
_INKED = 0.16
# Corrections made at most.
_ROUNDS = 3


def stroke_width(mask):
    """The strokes' width in pixels: twice the area over the perimeter.

    Parameters
    ----------
    mask : ndarray of bool, shape (height, width)
        The strokes.

    Returns
    -------
    width : float
        Exact for a long straight band (ends aside); 0 for an empty mask.

    Examples
    --------
    >>> import numpy as np
    >>> band = np.zeros((20, 40), dtype=bool)
    >>> band[5:9, 2:38] = True
    >>> round(stroke_width(band), 2)
    3.6
    """
    padded = np.pad(mask, 1).astype(np.int8)
    perimeter = (
        np.abs(np.diff(padded, axis=0)).sum() + np.abs(np.diff(padded, axis=1)).sum()
    )
    return float(2 * mask.sum() / perimeter) if perimeter else 0.0


def fitted_width(small):
    """The strokes' width in a fitted digit (grey levels), in its pixels."""
    return stroke_width(small > 0.5 * small.max())


def fitted_like_mnist(box, fit):
    """The digit ``box`` (grey levels in [0, 1], cropped to its ink) fitted by
    ``fit`` into its small box, its strokes brought to MNIST's widths.

    A stroke's grey edges and a pencil's grain make one correction fall short;
    it is measured again and corrected, a few times at most.

    Parameters
    ----------
    box : ndarray of shape (height, width)
        The digit at full resolution.
    fit : callable
        Makes the small (20-pixel) digit of a crop.

    Returns
    -------
    small : ndarray
        ``fit``'s result, for the crop with corrected strokes if need be.
    """
    small = fit(box)
    for _ in range(_ROUNDS):
        box = _corrected(box, fitted_width(small), max(box.shape) / max(small.shape))
        if box is None:
            break
        small = fit(box)
    return small


def _corrected(box, width, scale):
    """The crop with strokes grown or thinned so that, ``scale`` times smaller,
    they come ``width`` pixels wide to MNIST's range; None if they are in it."""
    wanted = np.clip(width, NARROWEST, WIDEST)
    # Half the change on each side of a stroke, in the crop's pixels.
    radius = round((wanted - width) / 2 * scale)
    if radius > 0:
        return ndimage.grey_dilation(np.pad(box, radius), footprint=disk(radius))
    if radius < 0:
        # The paper beyond the crop's edges must wear the strokes down too.
        thinner = ndimage.grey_erosion(np.pad(box, 1), footprint=disk(-radius))
        if (thinner > _INKED).any():
            return thinner[bounding_box(thinner > _INKED)]
    return None


def disk(radius):
    """A disk-shaped footprint of ``radius`` pixels."""
    offsets = np.arange(-radius, radius + 1)
    return offsets[:, None] ** 2 + offsets[None, :] ** 2 <= radius**2 + radius
