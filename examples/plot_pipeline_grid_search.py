"""
======================================
Pipeline and grid search on the digits
======================================

:class:`~skdigit.GDLogisticRegression` is an ordinary scikit-learn classifier, so it
goes into a :class:`~sklearn.pipeline.Pipeline` behind a scaler, and
:class:`~sklearn.model_selection.GridSearchCV` tunes the gradient descent's settings
like any other hyperparameters.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skdigit import GDLogisticRegression

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, random_state=0, stratify=y
)

# %%
# Scaled pixels take learning rates around 0.1 to 1; the search also tries the number
# of iterations and a small L2 penalty.
pipeline = make_pipeline(MinMaxScaler(), GDLogisticRegression())
grid = {
    "gdlogisticregression__learning_rate": [0.01, 0.1, 1.0],
    "gdlogisticregression__max_iter": [50, 200],
    "gdlogisticregression__alpha": [0.0, 1e-3],
}
search = GridSearchCV(pipeline, grid, cv=3, n_jobs=2).fit(X_train, y_train)
print("best parameters:", search.best_params_)
print(f"test accuracy: {search.score(X_test, y_test):.3f}")

# %%
# The mean cross-validated accuracy of every learning rate and iteration budget
# (without penalty) shows the trade-off: a larger step does in 50 iterations what a
# smaller one needs hundreds for.
results = search.cv_results_
no_penalty = np.asarray(results["param_gdlogisticregression__alpha"]) == 0.0
fig, ax = plt.subplots(figsize=(6, 4))
for max_iter in grid["gdlogisticregression__max_iter"]:
    rows = no_penalty & (
        np.asarray(results["param_gdlogisticregression__max_iter"]) == max_iter
    )
    ax.plot(
        np.asarray(results["param_gdlogisticregression__learning_rate"])[rows],
        results["mean_test_score"][rows],
        marker="o",
        label=f"{max_iter} iterations",
    )
ax.set_xscale("log")
ax.set_xlabel("learning rate")
ax.set_ylabel("mean CV accuracy")
ax.set_title("Grid search over the gradient descent's settings")
ax.legend()
fig.tight_layout()
plt.show()
