"""
======================================
Loss curves for several learning rates
======================================

On raw 0-255 pixels gradient descent is stable only with tiny steps. This example
trains the notebook's 4-detector at several learning rates and plots
``loss_curve_`` with :class:`~skdigit.LossCurveDisplay`, one named curve per rate on
the same axes: too small a step crawls; larger ones first overshoot -- the loss jumps
up, by a factor of thirty at ``1e-3`` -- and then settle lower. (On the full MNIST
images the notebook's own ``1e-5`` already overshoots a little: 0.69, then 0.80.)
A hundred times more than the largest here, the loss explodes and
:class:`~skdigit.GDLogisticRegression` stops with an error.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

from skdigit import GDLogisticRegression, LossCurveDisplay

X, y = load_digits(return_X_y=True)
X = np.rint(X * 255 / 16)  # MNIST's 0-255 pixel scale
is_four = y == 4

ax = None  # the first display makes the figure; the others draw on its axes
for learning_rate in [1e-6, 1e-5, 1e-4, 1e-3]:
    detector = GDLogisticRegression(learning_rate=learning_rate, max_iter=200)
    detector.fit(X, is_four)
    display = LossCurveDisplay.from_estimator(
        detector, ax=ax, name=f"learning rate {learning_rate:g}"
    )
    ax = display.ax_
    print(f"{learning_rate:g}: final loss {detector.loss_curve_[-1]:.4f}")

ax.set_title("The notebook's 4-detector at several learning rates")
plt.show()
