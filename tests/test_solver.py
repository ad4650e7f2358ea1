"""The gradient-descent loop: updates, dtypes, hooks, stopping, divergence, Ctrl-C."""

import numpy as np
import pytest

from skdigit._kernels import make_objective
from skdigit._solver import IterationHooks, gradient_descent

from ._problems import make_problem


def objective_for(problem, link="sigmoid"):
    X, Y, weights, _, _ = problem
    return make_objective(X, Y, weights, link=link)


def test_float32_stays_float32():
    problem = make_problem(dtype=np.float32)
    _, _, _, coef, intercept = problem
    result = gradient_descent(
        objective_for(problem), coef, intercept, learning_rate=0.1, max_iter=5
    )
    assert result.coef.dtype == result.intercept.dtype == np.float32
    assert all(isinstance(loss, float) for loss in result.loss_curve)


def test_gradient_descent_does_not_modify_its_starting_weights():
    problem = make_problem()
    _, _, _, coef, intercept = problem
    coef_before, intercept_before = coef.copy(), intercept.copy()
    gradient_descent(
        objective_for(problem), coef, intercept, learning_rate=0.1, max_iter=3
    )
    np.testing.assert_array_equal(coef, coef_before)
    np.testing.assert_array_equal(intercept, intercept_before)


class Recorder(IterationHooks):
    def __init__(self, stop_after=None):
        self.begun, self.ended = [], []
        self.stop_after = stop_after

    def begin(self, iteration, coef, intercept):
        self.begun.append((iteration, coef.copy()))

    def end(self, iteration, loss, coef, intercept):
        self.ended.append((iteration, loss, coef.copy()))
        return self.stop_after is not None and len(self.ended) >= self.stop_after


def test_hooks_see_each_iteration_its_loss_and_the_updated_weights():
    problem = make_problem()
    _, _, _, coef, intercept = problem
    objective = objective_for(problem)
    hooks = Recorder()
    result = gradient_descent(
        objective,
        coef,
        intercept,
        learning_rate=0.1,
        max_iter=4,
        first_iteration=10,
        hooks=hooks,
    )
    assert [i for i, _ in hooks.begun] == [10, 11, 12, 13]
    assert [i for i, _, _ in hooks.ended] == [10, 11, 12, 13]
    assert [loss for _, loss, _ in hooks.ended] == result.loss_curve
    assert result.loss_curve[0] == objective.evaluate(coef, intercept)[0]
    # begin sees the weights the loss is evaluated at; end the weights after the
    # update, which the next iteration begins from.
    np.testing.assert_array_equal(hooks.begun[0][1], coef)
    for (_, _, after), (_, before) in zip(hooks.ended, hooks.begun[1:], strict=False):
        np.testing.assert_array_equal(after, before)
    np.testing.assert_array_equal(hooks.ended[-1][2], result.coef)
    assert result.stopped_by == "max_iter"


def test_a_hook_returning_true_stops_after_that_iteration():
    problem = make_problem()
    _, _, _, coef, intercept = problem
    hooks = Recorder(stop_after=3)
    result = gradient_descent(
        objective_for(problem),
        coef,
        intercept,
        learning_rate=0.1,
        max_iter=50,
        hooks=hooks,
    )
    assert result.stopped_by == "hook"
    assert len(result.loss_curve) == 3
    np.testing.assert_array_equal(result.coef, hooks.ended[-1][2])


def test_tol_stops_when_the_loss_no_longer_improves():
    problem = make_problem()
    _, _, _, coef, intercept = problem
    result = gradient_descent(
        objective_for(problem),
        coef,
        intercept,
        learning_rate=0.1,
        max_iter=10_000,
        tol=1e-3,
        n_iter_no_change=3,
    )
    assert result.stopped_by == "tol"
    assert len(result.loss_curve) < 10_000
    gains = -np.diff(result.loss_curve[-4:])
    assert (gains < 1e-3).all()


class InterruptAt(IterationHooks):
    """Simulates Ctrl-C in the middle of an iteration (after its loss)."""

    def __init__(self, iteration):
        self.iteration = iteration
        self.weights = {}

    def end(self, iteration, loss, coef, intercept):
        self.weights[iteration] = (coef.copy(), intercept.copy())
        return False

    def begin(self, iteration, coef, intercept):
        if iteration == self.iteration:
            raise KeyboardInterrupt


@pytest.mark.parametrize("interrupted_at", [0, 1, 4])
def test_ctrl_c_keeps_the_weights_of_the_last_finished_iteration(interrupted_at):
    problem = make_problem(n_outputs=3)
    _, _, _, coef, intercept = problem
    hooks = InterruptAt(interrupted_at)
    result = gradient_descent(
        objective_for(problem, "softmax"),
        coef,
        intercept,
        learning_rate=0.1,
        max_iter=10,
        hooks=hooks,
    )
    assert result.stopped_by == "interrupt"
    assert len(result.loss_curve) == interrupted_at
    if interrupted_at == 0:
        np.testing.assert_array_equal(result.coef, coef)
    else:
        last_coef, last_intercept = hooks.weights[interrupted_at - 1]
        np.testing.assert_array_equal(result.coef, last_coef)
        np.testing.assert_array_equal(result.intercept, last_intercept)


def test_divergence_is_an_error_naming_the_iteration_and_the_fix():
    problem = make_problem()
    X, Y, weights, coef, intercept = problem
    objective = make_objective(X * 1e3, Y, weights, link="sigmoid")
    with pytest.raises(ValueError, match=r"diverged at iteration \d+.*learning_rate"):
        gradient_descent(
            objective,
            np.zeros_like(coef),
            np.zeros_like(intercept),
            learning_rate=10.0,
            max_iter=50,
        )
