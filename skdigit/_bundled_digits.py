"""An MNIST-style 28x28 digit reduced to an 8x8 digit like scikit-learn's bundled
ones (``sklearn.datasets.load_digits``), for models trained on those.
"""

import numpy as np

from ._image_shape import DIGITS_SHAPE

# The bundled digits (UCI optdigits) are 32x32 bitmaps of size-normalised digits,
# their pixels counted in 4x4 blocks (0 to 16).
_BITMAP_SIDE = 32
_BLOCK = _BITMAP_SIDE // DIGITS_SHAPE[0]


def as_bundled_digit(image):
    """Reduce an MNIST-style digit (bright on black, 0-255) to an 8x8 digit.

    The digit is cropped, fitted in 32x32 (aspect ratio kept, centred),
    thresholded at half its range and counted in 4x4 blocks, as the bundled digits
    were made, then put on the 0-255 scale (counts times 255/16).

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._bundled_digits import as_bundled_digit
    >>> bar = np.zeros((28, 28), dtype=np.uint8)
    >>> bar[4:24, 9:19] = 255  # 20 rows by 10 columns
    >>> small = as_bundled_digit(bar)
    >>> small.shape, small.dtype
    ((8, 8), dtype('uint8'))
    >>> (small == 255).astype(int)  # fitted in 32x32, counted in 4x4 blocks
    array([[0, 0, 1, 1, 1, 1, 0, 0],
           [0, 0, 1, 1, 1, 1, 0, 0],
           [0, 0, 1, 1, 1, 1, 0, 0],
           [0, 0, 1, 1, 1, 1, 0, 0],
           [0, 0, 1, 1, 1, 1, 0, 0],
           [0, 0, 1, 1, 1, 1, 0, 0],
           [0, 0, 1, 1, 1, 1, 0, 0],
           [0, 0, 1, 1, 1, 1, 0, 0]])
    """
    from PIL import Image

    rows = np.flatnonzero((image > 0).any(axis=1))
    cols = np.flatnonzero((image > 0).any(axis=0))
    box = image[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    height, width = box.shape
    scale = _BITMAP_SIDE / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    resized = np.asarray(
        Image.fromarray(box).resize(size, Image.Resampling.BILINEAR), dtype=np.float64
    )
    field = np.zeros((_BITMAP_SIDE, _BITMAP_SIDE))
    top, left = (_BITMAP_SIDE - size[1]) // 2, (_BITMAP_SIDE - size[0]) // 2
    field[top : top + size[1], left : left + size[0]] = resized
    side = DIGITS_SHAPE[0]
    counts = (field >= 128).reshape(side, _BLOCK, side, _BLOCK).sum(axis=(1, 3))
    return np.rint(counts * (255 / _BLOCK**2)).astype(np.uint8)
