"""
==========================
What the detectors learned
==========================

Each weight of a detector belongs to one pixel, so its weights can be shown as an
image: red pixels push towards "this digit", blue ones away from it. Trained on all
ten digits, the one-vs-rest model holds one such image per digit.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

from skdigit import GDLogisticRegression

X, y = load_digits(return_X_y=True)
X = np.rint(X * 255 / 16)
model = GDLogisticRegression().fit(X, y)
print(f"training accuracy: {model.score(X, y):.3f}")

# %%
# One colour scale for all ten images, centred on zero, so that they compare.
limit = np.abs(model.coef_).max()
fig, axes = plt.subplots(2, 5, figsize=(9, 4), layout="constrained")
for digit, ax in zip(model.classes_, axes.ravel(), strict=True):
    image = ax.imshow(
        model.coef_[digit].reshape(8, 8), cmap="RdBu_r", vmin=-limit, vmax=limit
    )
    ax.set_title(f"digit {digit}")
    ax.set_xticks([])
    ax.set_yticks([])
fig.colorbar(image, ax=axes, shrink=0.8, label="weight")
fig.suptitle("One-vs-rest weights, one image per digit")
plt.show()
