"""
========================================
Cross-validated accuracy, digit by digit
========================================

:func:`~sklearn.model_selection.cross_val_score` works with
:class:`~skdigit.GDLogisticRegression` as with any classifier. Here every one-digit
detector of the notebook's kind is scored by 5-fold cross-validation on balanced
accuracy, which is not fooled by the nine-to-one imbalance of a one-digit target.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import cross_val_score

from skdigit import GDLogisticRegression, OneDigitBinarizer

X, y = load_digits(return_X_y=True)
X = np.rint(X * 255 / 16)

scores = {}
for digit in range(10):
    target = OneDigitBinarizer(digit=digit).fit_transform(y)
    scores[digit] = cross_val_score(
        GDLogisticRegression(), X, target, cv=5, scoring="balanced_accuracy"
    )
    print(f"digit {digit}: {scores[digit].mean():.3f} +- {scores[digit].std():.3f}")

fig, ax = plt.subplots(figsize=(7, 4))
ax.boxplot(list(scores.values()), tick_labels=[str(d) for d in scores])
ax.set_xlabel("detected digit")
ax.set_ylabel("balanced accuracy (5 folds)")
ax.set_title("One-digit detectors, notebook settings")
fig.tight_layout()
plt.show()
