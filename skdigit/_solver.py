"""The notebook's loop: full-batch gradient descent from given weights, plain or
accelerated.

For each iteration: evaluate the loss and its gradient at one point (one pass over
the data, through an :class:`~skdigit._kernels.Objective`), take one step
``weights = point - learning_rate * gradient``, then check for divergence, the
``tol`` stopping rule and the per-iteration hooks, which may stop the fit too.
Ctrl-C ends the loop with the weights of the last finished iteration.

Where the next gradient is taken is the one thing the solvers differ in:

- ``"gd"``, the notebook's plain descent: at the new weights;
- ``"nesterov"``, Nesterov's accelerated gradient for smooth convex problems: a
  little ahead of the new weights, along the last step,
  ``point = weights + momentum * (weights - previous weights)`` with
  ``momentum = (k - 1) / (k + 2)`` after the ``k``-th step, restarted (``k = 1``:
  the next point is the new weights, a plain step) whenever the loss at the
  gradient's point went up or the gradient points against the last step
  (O'Donoghue and Candes' adaptive restart, 2015). The restart keeps the
  acceleration from oscillating, so that it does not fall behind plain descent.

This module knows nothing of the data's layout (the kernels' business) nor of the
scikit-learn API (the estimator's).
"""

import math
from dataclasses import dataclass, field

import numpy as np

SOLVERS = ("gd", "nesterov")
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
        The loss at the point where each finished iteration took its gradient:
        for plain descent, the weights at the start of the iteration.
    stopped_by : {"max_iter", "tol", "hook", "interrupt"}
        What ended the loop.
    gradient_norms : tuple of float
        The norms of the first and of the last finished iteration's gradient
        (empty when no iteration finished).
    """

    coef: object
    intercept: object
    loss_curve: list = field(default_factory=list)
    stopped_by: str = "max_iter"
    gradient_norms: tuple = ()


class IterationHooks:
    """Called around each iteration; the default does nothing.

    ``begin(iteration, coef, intercept)`` runs before the loss is evaluated at these
    weights (the gradient's point); ``end(iteration, loss, coef, intercept)`` after
    the update, with the new weights, and returns True to stop the fit there.
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


class DivergenceError(ValueError):
    """Raised when gradient descent has clearly blown up; the message gives the
    iteration and the losses, and the estimator adds the advice in its own words."""

    def __init__(self, iteration, reference_loss, loss):
        super().__init__(
            f"Gradient descent diverged at iteration {iteration}: the loss went from "
            f"{reference_loss:.6g} to {loss:.6g}."
        )
        self.iteration = iteration


def check_divergence(loss, reference_loss, iteration):
    """Raise :class:`DivergenceError` when gradient descent has clearly blown up.

    Examples
    --------
    >>> from skdigit._solver import check_divergence
    >>> check_divergence(0.5, 0.69, 3)
    >>> check_divergence(float("nan"), 0.69, 3)
    Traceback (most recent call last):
    ...
    skdigit._solver.DivergenceError: Gradient descent diverged at iteration 3: ...
    """
    limit = DIVERGENCE_FACTOR * max(reference_loss, math.log(2))
    if math.isfinite(loss) and loss <= limit:
        return
    raise DivergenceError(iteration, reference_loss, loss)


@dataclass(frozen=True)
class _State:
    """Where the solver stands after a number of finished iterations.

    ``weights`` are the iterate, a ``(coef, intercept)`` pair; ``point`` is where the
    next gradient is taken (the same pair for plain descent). ``steps`` (steps since
    the last restart) and ``loss`` (the last loss) serve the accelerated solver only.
    """

    weights: tuple
    point: tuple
    finished: int = 0
    steps: int = 0
    loss: float = math.inf


class _Descent:
    """The update rule of one solver; ``step`` returns the next :class:`_State`."""

    def __init__(self, learning_rate, fit_intercept, xp):
        self.learning_rate = learning_rate
        self.fit_intercept = fit_intercept
        self.xp = xp

    def _gradient_step(self, point, grad_coef, grad_intercept):
        coef, intercept = point
        if self.fit_intercept:
            intercept = intercept - self.learning_rate * grad_intercept
        return coef - self.learning_rate * grad_coef, intercept


class _PlainDescent(_Descent):
    """The notebook's update: the next gradient is taken at the new weights."""

    def step(self, state, loss, grad_coef, grad_intercept):
        weights = self._gradient_step(state.point, grad_coef, grad_intercept)
        return _State(weights, weights, state.finished + 1)


class _NesterovDescent(_Descent):
    """Nesterov's momentum with adaptive restart (see the module docstring)."""

    def step(self, state, loss, grad_coef, grad_intercept):
        weights = self._gradient_step(state.point, grad_coef, grad_intercept)
        moved = tuple(
            new - old for new, old in zip(weights, state.weights, strict=True)
        )
        restart = self._restarts(state, loss, moved, grad_coef, grad_intercept)
        steps = 1 if restart else state.steps + 1
        momentum = (steps - 1) / (steps + 2)
        point = weights
        if momentum:
            point = tuple(w + momentum * d for w, d in zip(weights, moved, strict=True))
        return _State(weights, point, state.finished + 1, steps, loss)

    def _restarts(self, state, loss, moved, grad_coef, grad_intercept):
        if loss > state.loss:
            return True
        # The gradient at the point against the step just taken from the weights
        # before it: momentum is carrying the weights uphill.
        uphill = self.xp.sum(grad_coef * moved[0])
        if self.fit_intercept:
            uphill = uphill + self.xp.sum(grad_intercept * moved[1])
        return float(uphill) > 0


_DESCENTS = {"gd": _PlainDescent, "nesterov": _NesterovDescent}


def gradient_descent(
    objective,
    coef,
    intercept,
    *,
    learning_rate,
    solver="gd",
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
    solver : {"gd", "nesterov"}, default="gd"
        Plain descent, or Nesterov's accelerated descent with adaptive restart
        (see the module docstring). The momentum starts from zero: a warm-started
        continuation restarts it.
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

    Raises
    ------
    DivergenceError
        When the loss grows a thousandfold, or the weights overflow.
    """
    hooks = hooks or IterationHooks()
    descent = _DESCENTS[solver](learning_rate, fit_intercept, xp)
    stopper = _NoImprovementCounter(tol, n_iter_no_change)
    curve = []
    first_gradient = last_gradient = None
    # Replaced as one object, never updated in place: Ctrl-C can not leave the
    # weights half-updated.
    state = _State((coef, intercept), (coef, intercept))
    stopped_by = "max_iter"
    try:
        # Overflow is divergence, raised below with the losses: not warned about.
        with np.errstate(over="ignore", invalid="ignore"):
            for iteration in range(first_iteration, first_iteration + max_iter):
                point_coef, point_intercept = state.point
                hooks.begin(iteration, point_coef, point_intercept)
                loss, grad_coef, grad_intercept = objective.evaluate(
                    point_coef, point_intercept if fit_intercept else None
                )
                curve.append(loss)
                reference = curve[0] if reference_loss is None else reference_loss
                check_divergence(loss, reference, iteration)
                state = descent.step(state, loss, grad_coef, grad_intercept)
                last_gradient = (grad_coef, grad_intercept)
                first_gradient = first_gradient or last_gradient
                hook_says_stop = hooks.end(iteration, loss, *state.weights)
                if stopper.should_stop(loss):
                    stopped_by = "tol"
                    break
                if hook_says_stop:
                    stopped_by = "hook"
                    break
    except KeyboardInterrupt:
        stopped_by = "interrupt"
    coef, intercept = state.weights
    if state.finished and not bool(xp.all(xp.isfinite(coef))):
        # The last step overflowed although its loss was still finite.
        check_divergence(math.inf, curve[0], first_iteration + state.finished)
    norms = tuple(
        _norm(gradient, fit_intercept, xp)
        for gradient in (first_gradient, last_gradient)
        if gradient is not None
    )
    return SolverResult(coef, intercept, curve[: state.finished], stopped_by, norms)


def _norm(gradient, fit_intercept, xp):
    """The Euclidean norm of a ``(grad_coef, grad_intercept)`` pair."""
    grad_coef, grad_intercept = gradient
    square = xp.sum(grad_coef * grad_coef)
    if fit_intercept:
        square = square + xp.sum(grad_intercept * grad_intercept)
    return math.sqrt(float(square))
