"""The notebook's loop: full-batch gradient descent from given weights.

For each iteration: evaluate the loss and its gradient at the current weights (one
pass over the data, through an :class:`~skdigit._kernels.Objective`), take one step
``weights -= learning_rate * gradient``, then check for divergence, the ``tol``
stopping rule and the per-iteration hooks, which may stop the fit too. Ctrl-C ends the
loop with the weights of the last finished iteration.

This module knows nothing of the data's layout (the kernels' business) nor of the
scikit-learn API (the estimator's).
"""

import math
from dataclasses import dataclass, field

import numpy as np

# A loss this many times larger than the loss at the start of the fit means the steps
# overshoot so far that the model is meaningless (the notebook would print inf here).
DIVERGENCE_FACTOR = 1e3


@dataclass
class SolverResult:
    """What :func:`gradient_descent` found.

    Attributes
    ----------
    coef : array of shape (n_features, n_outputs)
        Weights after the last finished iteration.
    intercept : array of shape (n_outputs,)
        Intercepts after the last finished iteration.
    loss_curve : list of float
        The loss at the start of each finished iteration, before its update.
    stopped_by : {"max_iter", "tol", "hook", "interrupt"}
        What ended the loop.
    """

    coef: object
    intercept: object
    loss_curve: list = field(default_factory=list)
    stopped_by: str = "max_iter"


class IterationHooks:
    """Called around each iteration; the default does nothing.

    ``begin(iteration, coef, intercept)`` runs before the loss is evaluated;
    ``end(iteration, loss, coef, intercept)`` after the update, with the new weights,
    and returns True to stop the fit there.
    """

    def begin(self, iteration, coef, intercept):
        """Before iteration ``iteration`` evaluates the loss at these weights."""

    def end(self, iteration, loss, coef, intercept):
        """After iteration ``iteration`` (loss ``loss``) updated the weights."""
        return False


class _NoImprovementCounter:
    """The stopping rule of scikit-learn's MLP: stop after ``patience`` iterations
    whose loss did not improve on the best loss by at least ``tol``."""

    def __init__(self, tol, patience):
        self.tol = tol
        self.patience = patience
        self.best_loss = math.inf
        self.count = 0

    def should_stop(self, loss):
        if self.tol is None:
            return False
        self.count = self.count + 1 if loss > self.best_loss - self.tol else 0
        self.best_loss = min(self.best_loss, loss)
        return self.count >= self.patience


def check_divergence(loss, reference_loss, iteration, learning_rate):
    """Raise ValueError when gradient descent has clearly blown up.

    Examples
    --------
    >>> from skdigit._solver import check_divergence
    >>> check_divergence(0.5, 0.69, 3, 0.1)
    >>> check_divergence(float("nan"), 0.69, 3, 0.1)
    Traceback (most recent call last):
    ...
    ValueError: Gradient descent diverged at iteration 3: ...
    """
    limit = DIVERGENCE_FACTOR * max(reference_loss, math.log(2))
    if math.isfinite(loss) and loss <= limit:
        return
    raise ValueError(
        f"Gradient descent diverged at iteration {iteration}: the loss went from "
        f"{reference_loss:.6g} to {loss:.6g}. The learning_rate={learning_rate!r} is "
        "too large for this data: use a smaller learning_rate or "
        'learning_rate="auto", or scale the features (for example divide pixels by '
        "255, or use StandardScaler)."
    )


def gradient_descent(
    objective,
    coef,
    intercept,
    *,
    learning_rate,
    fit_intercept=True,
    max_iter,
    tol=None,
    n_iter_no_change=10,
    first_iteration=0,
    reference_loss=None,
    hooks=None,
    xp=np,
):
    """Run full-batch gradient descent from the given weights.

    Parameters
    ----------
    objective : Objective
        ``objective.evaluate(coef, intercept) -> (loss, grad_coef, grad_intercept)``,
        the penalised weighted mean loss (a float) and its gradient;
        ``intercept`` is None when it is not fitted.
    coef : array of shape (n_features, n_outputs)
        Starting weights (zeros reproduce the notebook); not modified.
    intercept : array of shape (n_outputs,)
        Starting intercepts; not modified.
    learning_rate : float
    fit_intercept : bool
    max_iter : int
    tol : float or None
        None runs exactly ``max_iter`` iterations.
    n_iter_no_change : int
    first_iteration : int
        Number given to the first iteration (for warm starts and messages).
    reference_loss : float or None
        The loss divergence is measured against; None uses this run's first loss.
        A warm-started continuation passes the first loss of the whole run.
    hooks : IterationHooks or None
        Called around each iteration (progress, callbacks).
    xp : module, default=numpy
        The Array API namespace of the weights.

    Returns
    -------
    SolverResult
        Also when Ctrl-C interrupted the loop: then with the weights and losses of
        the iterations that finished, and ``stopped_by="interrupt"``.
    """
    hooks = hooks or IterationHooks()
    stopper = _NoImprovementCounter(tol, n_iter_no_change)
    curve = []
    # The weights of the last finished iteration and their count, replaced as one
    # tuple, never updated in place: Ctrl-C can not leave them half-updated.
    state = (coef, intercept, 0)
    stopped_by = "max_iter"
    try:
        for iteration in range(first_iteration, first_iteration + max_iter):
            coef, intercept, finished = state
            hooks.begin(iteration, coef, intercept)
            loss, grad_coef, grad_intercept = objective.evaluate(
                coef, intercept if fit_intercept else None
            )
            curve.append(loss)
            reference = curve[0] if reference_loss is None else reference_loss
            check_divergence(loss, reference, iteration, learning_rate)
            if fit_intercept:
                intercept = intercept - learning_rate * grad_intercept
            state = (coef - learning_rate * grad_coef, intercept, finished + 1)
            hook_says_stop = hooks.end(iteration, loss, *state[:2])
            if stopper.should_stop(loss):
                stopped_by = "tol"
                break
            if hook_says_stop:
                stopped_by = "hook"
                break
    except KeyboardInterrupt:
        stopped_by = "interrupt"
    coef, intercept, finished = state
    if finished and not bool(xp.all(xp.isfinite(coef))):
        # The last step overflowed although its loss was still finite.
        check_divergence(math.inf, curve[0], first_iteration + finished, learning_rate)
    return SolverResult(coef, intercept, curve[:finished], stopped_by)
