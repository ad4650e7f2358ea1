"""The shapes of digit images: MNIST's, the bundled digits', and that of images
stored flat, one row of pixels after another.
"""

import math

# MNIST's images (28x28) and scikit-learn's bundled digits
# (``sklearn.datasets.load_digits``, 8x8).
MNIST_SHAPE = (28, 28)
DIGITS_SHAPE = (8, 8)
# The shapes a digit may be given in: a model is trained on one of them.
DIGIT_SHAPES = (MNIST_SHAPE, DIGITS_SHAPE)


def square_image_shape(n_features):
    """``(side, side)`` when ``n_features`` pixels make a square image, else None.

    Examples
    --------
    >>> from skdigit._image_shape import square_image_shape
    >>> square_image_shape(784), square_image_shape(64), square_image_shape(10)
    ((28, 28), (8, 8), None)
    """
    side = math.isqrt(n_features)
    return (side, side) if side * side == n_features else None
