"""An MNIST-style 28x28 digit reduced to an 8x8 digit like scikit-learn's bundled
ones (``sklearn.datasets.load_digits``), for models trained on those.
"""

import numpy as np

from ._image_shape import DIGITS_SHAPE
from ._picture_io import import_pillow
from ._resample import bounding_box, fitted_size

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
    Image, _ = import_pillow()
    box = image[bounding_box(image > 0)]
    height, width = fitted_size(box.shape, _BITMAP_SIDE)
    # The uint8 digit resized as it is: Pillow rounds to whole grey levels.
    resized = np.asarray(
        Image.fromarray(box).resize((width, height), Image.Resampling.BILINEAR),
        dtype=np.float64,
    )
    field = np.zeros((_BITMAP_SIDE, _BITMAP_SIDE))
    top, left = (_BITMAP_SIDE - height) // 2, (_BITMAP_SIDE - width) // 2
    field[top : top + height, left : left + width] = resized
    side = DIGITS_SHAPE[0]
    counts = (field >= 128).reshape(side, _BLOCK, side, _BLOCK).sum(axis=(1, 3))
    return np.rint(counts * (255 / _BLOCK**2)).astype(np.uint8)
