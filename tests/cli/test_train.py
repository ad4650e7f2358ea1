"""``skdigit train``: the notebook end to end, its outputs, Ctrl-C."""

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image
from sklearn.pipeline import Pipeline

import skdigit
from skdigit import (
    DigitDeskewer,
    GDLogisticRegression,
    MNISTIdxLoader,
    PixelScaler,
    load_model,
    write_idx,
)
from skdigit._kernels._compiled import COMPILE_SECONDS
from skdigit._model_io import FORMAT_VERSION
from skdigit.cli import main

from .helpers import PICTURES, accepted_as_official, assert_valid_png, cli_env

NOTEBOOK_FIRST_LOSS = "Iteration    0 => Loss: 0.69314718055994528623"


def test_train_without_mnist_falls_back_to_bundled_digits(digits_run):
    result, _ = digits_run
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("MNIST could not be loaded (")
    assert "not found in" in lines[0] and "downloading is off" in lines[0]
    assert lines[0].endswith("; using scikit-learn's bundled 8x8 digits instead")
    assert lines[1] == "Data: scikit-learn's bundled 8x8 digits (train 1347, test 450)"
    assert lines[2].startswith("Training a digit-4 detector on 1347 images of 64")
    for label in ["accuracy", "precision", "recall", "F1"]:
        assert any(line.split()[:1] == [label] for line in lines), label
    assert "Confusion matrix (rows: true, columns: predicted):" in lines
    first_ten = lines.index(
        "First ten predictions vs labels (1 = a 4, 0 = another digit):"
    )
    predicted = lines[first_ten + 1].split()
    labels = lines[first_ten + 2].split()
    assert predicted[0] == "predicted" and len(predicted) == 11
    assert labels[0] == "label" and len(labels) == 11
    # No terminal: no progress bar, and nothing else on stderr either.
    assert result.stderr == ""


def test_a_first_compilation_is_said_in_one_line(tmp_path, empty_data_home):
    pytest.importorskip("numba")
    env = {
        **cli_env(empty_data_home),
        "NUMBA_CACHE_DIR": str(tmp_path / "numba-cache"),  # empty: compiles
        "SKDIGIT_KERNEL": "compiled",  # the bundled digits are too small for it
    }
    command = [sys.executable, "-m", "skdigit", "train", "--dataset", "digits"]
    outputs = []
    for _ in range(2):
        run = subprocess.run(
            [*command, "--max-iter", "3"], env=env, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        outputs.append(run.stdout.splitlines())
    first, second = outputs
    said = [line for line in first if line.startswith("compiling")]
    assert said == [f"compiling the fast kernel, once: about {COMPILE_SECONDS} s"]
    assert first.index(said[0]) == 2  # after the data and what is trained
    assert not any(line.startswith("compiling") for line in second)


def test_the_bundled_digits_never_compile(digits_run):
    result, _ = digits_run
    assert "compiling" not in result.stdout


def test_train_saves_model_pictures_and_metrics(digits_run, bundled_split):
    result, output = digits_run
    assert result.returncode == 0, result.stderr
    names = sorted(path.name for path in output.iterdir())
    assert names == sorted(["model.skops", "metrics.json", *PICTURES])
    for name in PICTURES:
        assert_valid_png(output / name)

    metrics = json.loads((output / "metrics.json").read_text())
    assert metrics["n_test"] == 450 and metrics["n_train"] == 1347
    assert metrics["n_iter"] == 200 and not metrics["interrupted"]
    assert metrics["accuracy"] > 0.97
    assert np.asarray(metrics["confusion_matrix"]).sum() == 450
    assert f"accuracy   {metrics['accuracy']:.4f}" in result.stdout


def test_saved_model_is_the_notebook_run(digits_run, bundled_split):
    """The progress bar does not change the fit: it is the notebook's run."""
    _, output = digits_run
    model, info = load_model(output / "model.skops")
    assert isinstance(model, Pipeline)
    assert [name for name, _ in model.steps] == ["classifier"]
    classifier = model[-1]
    X_train, X_test, y_train, _ = bundled_split
    reference = GDLogisticRegression().fit(X_train, (y_train == 4).astype(int))
    assert classifier.get_params() == reference.get_params()
    assert classifier.loss_curve_ == reference.loss_curve_
    np.testing.assert_array_equal(classifier.coef_, reference.coef_)
    np.testing.assert_array_equal(classifier.intercept_, reference.intercept_)
    # It predicts from the raw 0-255 pixels, by itself.
    np.testing.assert_array_equal(model.predict(X_test), reference.predict(X_test))

    metadata = info["metadata"]
    assert info["format"] == FORMAT_VERSION
    assert info["skdigit_version"] == skdigit.__version__
    assert metadata["digit"] == 4 and metadata["image_shape"] == [8, 8]
    assert metadata["dataset"] == "digits" and "pixel_scale" not in metadata
    assert metadata["scale"] is False and metadata["deskew"] is False
    assert metadata["learning_rate"] == 1e-5 and metadata["max_iter"] == 200
    assert metadata["learning_rate_used"] == 1e-5


def test_one_fit_moves_a_progress_bar(tmp_path, capsys, monkeypatch, bundled_split):
    """A terminal gets a bar, moved by a callback of the one fit; the saved
    model is the same and holds no callback."""
    pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9")
    import skdigit.cli.train

    monkeypatch.setattr(skdigit.cli.train, "stderr_is_a_terminal", lambda: True)
    args = ["train", "--dataset", "digits", "--max-iter", "30", "-o", str(tmp_path)]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "training: 100%" in err and "30/30" in err and "loss=" in err
    model, _ = load_model(tmp_path / "model.skops")
    assert not hasattr(model[-1], "_skl_callbacks")
    X_train, _, y_train, _ = bundled_split
    reference = GDLogisticRegression(max_iter=30).fit(X_train, y_train == 4)
    np.testing.assert_array_equal(model[-1].coef_, reference.coef_)


def test_learning_rate_auto(tmp_path, capsys):
    args = ["train", "--dataset", "digits", "--learning-rate", "auto"]
    assert main([*args, "--max-iter", "20", "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "learning rate auto" in out
    model, info = load_model(tmp_path / "model.skops")
    used = model[-1].learning_rate_
    assert model[-1].learning_rate == "auto" and 0 < used != 1e-5
    assert f"(learning rate {used:.6g}, from the data)" in out
    assert info["metadata"]["learning_rate"] == "auto"
    assert info["metadata"]["learning_rate_used"] == used


def test_verbose_prints_the_notebook_lines(capsys):
    assert main(["train", "--dataset", "digits", "--max-iter", "3", "--verbose"]) == 0
    out = capsys.readouterr().out
    assert NOTEBOOK_FIRST_LOSS in out.splitlines()
    assert "Iteration    2 => Loss: " in out
    assert "Iteration    3 " not in out


def test_all_digits(tmp_path, capsys, bundled_split):
    args = ["train", "--dataset", "digits", "--all-digits", "--output", tmp_path]
    assert main([str(arg) for arg in args]) == 0
    out = capsys.readouterr().out
    assert "Training a 10-class model (digits 0-9)" in out
    assert "First ten predictions vs labels:" in out
    _, _, _, y_test = bundled_split
    label_line = next(line for line in out.splitlines() if line.startswith("  label"))
    assert label_line.split()[1:] == [str(digit) for digit in y_test[:10]]
    matrix = json.loads((tmp_path / "metrics.json").read_text())["confusion_matrix"]
    assert np.asarray(matrix).shape == (10, 10)
    assert_valid_png(tmp_path / "weights.png", min_size=(600, 200))

    # The 8x8 model recognises bundled test digits drawn large, dark on light.
    _, X_test, _, y_test = bundled_split
    paths = []
    for index in range(10):
        # With a margin of paper, as on a page.
        digit = np.pad(255 - X_test[index].reshape(8, 8), 2, constant_values=255)
        path = tmp_path / f"digit{index}.png"
        Image.fromarray(digit).resize((96, 96), Image.Resampling.BILINEAR).save(path)
        paths.append(path)
    assert (
        main(["predict", "--json", str(tmp_path / "model.skops"), *map(str, paths)])
        == 0
    )
    results = json.loads(capsys.readouterr().out)
    right = sum(r["prediction"] == y for r, y in zip(results, y_test[:10], strict=True))
    assert right >= 8


def test_scale_is_a_step_of_the_saved_pipeline(tmp_path, capsys, bundled_split):
    args = ["train", "--dataset", "digits", "--scale", "--learning-rate", "0.5"]
    assert main([*args, "--max-iter", "50", "--output", str(tmp_path)]) == 0
    assert "(scaled to 0-1)" in capsys.readouterr().out
    model, info = load_model(tmp_path / "model.skops")
    assert [name for name, _ in model.steps] == ["scale", "classifier"]
    assert isinstance(model[0], PixelScaler) and model[0].max_value == 255
    assert info["metadata"]["scale"] is True
    # The pipeline is the scaled notebook run, and takes raw pixels.
    X_train, X_test, y_train, _ = bundled_split
    reference = GDLogisticRegression(learning_rate=0.5, max_iter=50)
    reference.fit(X_train / 255, (y_train == 4).astype(int))
    np.testing.assert_allclose(model[-1].coef_, reference.coef_, rtol=1e-12)
    expected = reference.predict(X_test / 255)
    np.testing.assert_array_equal(model.predict(X_test), expected)
    assert main(["evaluate", "--json", str(tmp_path / "model.skops")]) == 0
    assert json.loads(capsys.readouterr().out)["accuracy"] > 0.97


def test_error_bad_output_folder(tmp_path, capsys):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    args = ["train", "--dataset", "digits", "--output", str(a_file)]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # refused before any training
    assert captured.err.startswith("skdigit: error: --output")


def _fail_on(name, monkeypatch):
    """Make saving the picture ``name`` fail as a full disk would."""
    from matplotlib.figure import Figure

    savefig = Figure.savefig

    def failing_savefig(figure, path, **kwargs):
        if path.name == name:
            raise OSError(28, "No space left on device", str(path))
        return savefig(figure, path, **kwargs)

    monkeypatch.setattr(Figure, "savefig", failing_savefig)


def test_a_failing_output_leaves_no_new_folder(tmp_path, capsys, monkeypatch):
    _fail_on("weights.png", monkeypatch)
    output = tmp_path / "runs" / "first"
    args = ["train", "--dataset", "digits", "--max-iter", "3", "-o", str(output)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err == (
        f"skdigit: error: {output / 'weights.png'}: No space left on device\n"
    )
    # Not even the model, written before the failing picture, nor its folders.
    assert os.listdir(tmp_path) == []


def test_a_failing_output_leaves_an_earlier_run_as_it_was(
    tmp_path, capsys, monkeypatch
):
    output = tmp_path / "out"
    args = ["train", "--dataset", "digits", "--max-iter", "3", "-o", str(output)]
    assert main(args) == 0
    (output / "notes.txt").write_text("mine")
    before = {path.name: path.read_bytes() for path in output.iterdir()}

    _fail_on("misclassified.png", monkeypatch)
    assert main([*args[:-4], "--max-iter", "7", "-o", str(output)]) == 2
    assert "misclassified.png" in capsys.readouterr().err
    after = {path.name: path.read_bytes() for path in output.iterdir()}
    assert after == before
    _, info = load_model(output / "model.skops")
    assert info["metadata"]["max_iter"] == 3


def test_deskew_is_the_first_step(tmp_path, capsys, bundled_split):
    args = ["train", "--dataset", "digits", "--deskew", "--scale", "--all-digits"]
    args += ["--learning-rate", "0.5", "--max-iter", "30", "-o", str(tmp_path)]
    assert main(args) == 0
    assert "(deskewed, scaled to 0-1)" in capsys.readouterr().out
    model, info = load_model(tmp_path / "model.skops")
    assert [name for name, _ in model.steps] == ["deskew", "scale", "classifier"]
    assert isinstance(model[0], DigitDeskewer)
    assert info["metadata"]["deskew"] is True
    _, X_test, _, _ = bundled_split
    by_hand = model[-1].predict(model[1].transform(model[0].transform(X_test)))
    np.testing.assert_array_equal(model.predict(X_test), by_hand)


def test_center_subtracts_the_training_means(tmp_path, capsys, bundled_split):
    args = ["train", "--dataset", "digits", "--scale", "--center", "--all-digits"]
    args += ["--multiclass", "multinomial", "--learning-rate", "2"]
    assert main([*args, "--max-iter", "100", "-o", str(tmp_path)]) == 0
    assert "(scaled to 0-1, centred)" in capsys.readouterr().out
    model, info = load_model(tmp_path / "model.skops")
    assert [name for name, _ in model.steps] == ["scale", "center", "classifier"]
    assert info["metadata"]["center"] is True
    X_train, X_test, _, y_test = bundled_split
    np.testing.assert_allclose(model[1].mean_, (X_train / 255).mean(axis=0))
    centred = X_test / 255 - (X_train / 255).mean(axis=0)
    np.testing.assert_array_equal(model.predict(X_test), model[-1].predict(centred))
    assert model.score(X_test, y_test) > 0.9


def test_error_diverging_learning_rate(capsys):
    args = ["train", "--dataset", "digits", "--learning-rate", "100"]
    assert main(args) == 2
    assert "diverged" in capsys.readouterr().err


def test_closed_pipe_exits_quietly_and_keeps_the_saved_model(tmp_path, monkeypatch):
    """`skdigit train --output DIR | head -1`: the reader leaves before the report."""

    class ReaderLeaves(io.StringIO):
        def write(self, text):
            if "Test set" in text:
                raise BrokenPipeError
            return super().write(text)

        def fileno(self):
            return os.open(os.devnull, os.O_WRONLY)

    monkeypatch.setattr(sys, "stdout", ReaderLeaves())
    output = tmp_path / "out"
    status = main(
        ["train", "--no-download", "--max-iter", "5", "--output", str(output)]
    )
    assert status == 141
    assert (output / "model.skops").is_file()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_stops_cleanly_and_keeps_the_model(tmp_path, empty_data_home):
    output = tmp_path / "out"
    # A shell that runs commands in the background ignores SIGINT, and children
    # inherit that; put Python's Ctrl-C handler back as a terminal would have it.
    code = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler);"
        "from skdigit.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    args = ["train", "--dataset", "digits", "--max-iter", "100000000", "--verbose"]
    args += ["-o", output]
    process = subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        env=cli_env(empty_data_home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        head = [process.stdout.readline() for _ in range(2)]
        assert head[1].startswith("Training a digit-4 detector")
        # Let some iterations run (however slow the machine), then press Ctrl-C.
        for line in process.stdout:
            if line.startswith("Iteration    3 "):
                break
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert "Interrupted (Ctrl-C) after" in out
    assert "accuracy" in out and "Saved in" in out
    model, info = load_model(output / "model.skops")
    assert 0 < model[-1].n_iter_ < 100000000
    assert info["metadata"]["interrupted"] is True
    assert json.loads((output / "metrics.json").read_text())["interrupted"] is True


def test_train_on_real_t10k_split(mnist_runs):
    folder, result, output, _, _ = mnist_runs
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"Data: MNIST test split from {folder}, split in two: train on its first "
        "8000 images, test on the other 2000"
    )
    assert "Training a digit-4 detector on 8000 images of 784 pixels" in lines[1]
    metrics = json.loads((output / "metrics.json").read_text())
    assert metrics["n_train"] == 8000 and metrics["n_test"] == 2000
    assert metrics["n_iter"] == 60
    assert metrics["accuracy"] > 0.96 and metrics["f1"] > 0.8
    for name in PICTURES:
        assert_valid_png(output / name)
    _, info = load_model(output / "model.skops")
    assert info["metadata"]["image_shape"] == [28, 28]
    assert info["metadata"]["split_test_set"] == 8000


def test_train_with_train_and_test_files(mnist_file, tmp_path, capsys):
    """The usual layout: train and t10k files in the data folder.

    The 60,000 training images are not available here, so the training files
    are stand-ins written from the first 8000 real t10k images.
    """
    data_dir = tmp_path / "mnist"
    data_dir.mkdir()
    for name in ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]:
        shutil.copyfile(mnist_file(name), data_dir / name)
    images, labels = MNISTIdxLoader(data_home=data_dir, download=False).load(
        "test", as_images=True
    )
    write_idx(data_dir / "train-images-idx3-ubyte", images[:8000])
    write_idx(data_dir / "train-labels-idx1-ubyte", labels[:8000])

    args = ["train", "--data-dir", str(data_dir), "--no-download", "--max-iter", "60"]
    with accepted_as_official(data_dir):
        assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Data: MNIST from {data_dir} (train 8000, test 10000)"
    # The notebook's cells 15 and 16: the first ten test predictions and labels.
    first_ten = out.index(
        "First ten predictions vs labels (1 = a 4, 0 = another digit):"
    )
    assert out[first_ten + 1] == "  predicted  0 0 0 0 1 0 1 0 0 0"
    assert out[first_ten + 2] == "  label      0 0 0 0 1 0 1 0 0 0"


def test_solver_and_class_weight_reach_the_saved_model(tmp_path, capsys, bundled_split):
    args = ["train", "--dataset", "digits", "--solver", "nesterov"]
    args += ["--class-weight", "balanced", "--learning-rate", "auto"]
    assert main([*args, "--max-iter", "40", "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "40 iterations of accelerated gradient descent" in out
    assert "balanced classes" in out
    model, info = load_model(tmp_path / "model.skops")
    classifier = model[-1]
    assert (classifier.solver, classifier.class_weight) == ("nesterov", "balanced")
    assert info["metadata"]["solver"] == "nesterov"
    assert info["metadata"]["class_weight"] == "balanced"
    X_train, _, y_train, _ = bundled_split
    reference = GDLogisticRegression(
        solver="nesterov", class_weight="balanced", learning_rate="auto", max_iter=40
    ).fit(X_train, (y_train == 4).astype(int))
    np.testing.assert_allclose(classifier.coef_, reference.coef_, rtol=1e-12)


def test_a_step_too_small_for_scaled_pixels_is_said_in_the_commands_words(capsys):
    assert main(["train", "--dataset", "digits", "--scale"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert err[0].startswith("skdigit: warning: the loss barely moved (0.693147 to ")
    assert "--learning-rate 1e-05 is far too small" in err[0]
    assert "use --learning-rate auto" in err[0]
    # The notebook's own settings train: nothing to say.
    assert main(["train", "--dataset", "digits", "--max-iter", "50"]) == 0
    assert capsys.readouterr().err == ""


# -- issue 17: signals, limits and output paths, with real processes ---------------


def _run_patched(code, marker, args, data_home, **kwargs):
    """Start ``python -c code marker ARGS`` (code patches skdigit, then runs main)."""
    code += "\nfrom skdigit.cli import main\nsys.exit(main(sys.argv[2:]))\n"
    return subprocess.Popen(
        [sys.executable, "-c", code, str(marker), *map(str, args)],
        env={**cli_env(data_home), "PYTHONDONTWRITEBYTECODE": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def _signal_when_marked(process, marker, signum):
    """Send ``signum`` once the process touches ``marker`` (however slow the
    machine); return its (stdout, stderr) when it has ended."""
    try:
        while not marker.exists() and process.poll() is None:
            time.sleep(0.05)
        assert marker.exists(), process.communicate()
        process.send_signal(signum)
        return process.communicate(timeout=60)
    finally:
        process.kill()


# Saving the first picture touches the marker, then takes its time.
SLOW_SAVE = """
import pathlib, sys, time
from matplotlib.figure import Figure
savefig = Figure.savefig
def slow_savefig(figure, path, **kwargs):
    savefig(figure, path, **kwargs)
    pathlib.Path(sys.argv[1]).touch()
    time.sleep(60)
Figure.savefig = slow_savefig
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("earlier_run", [False, True])
def test_sigterm_while_saving_leaves_nothing_behind(
    tmp_path, empty_data_home, earlier_run
):
    """Low 3: no hidden staging folder, an earlier run's files as they were."""
    output = tmp_path / "out"
    if earlier_run:
        output.mkdir()
        (output / "model.skops").write_text("the earlier run's")
    marker = tmp_path / "saving"
    args = ["train", "--dataset", "digits", "--max-iter", "3", "-o", output]
    process = _run_patched(SLOW_SAVE, marker, args, empty_data_home)
    _, err = _signal_when_marked(process, marker, signal.SIGTERM)
    assert process.returncode == 143, err
    assert err.splitlines()[-1] == "skdigit: error: terminated (SIGTERM)"
    assert sorted(os.listdir(tmp_path)) == (["out"] if earlier_run else []) + ["saving"]
    if earlier_run:
        assert os.listdir(output) == ["model.skops"]
        assert (output / "model.skops").read_text() == "the earlier run's"


# A finalizer running when the report is made: a Ctrl-C landing in it is
# printed by Python as "Exception ignored" and would otherwise be lost.
FINALIZER_AT_REPORT = """
import pathlib, signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
import skdigit.cli.train as train
report = train.format_report
class Finalizer:
    def __del__(self):
        pathlib.Path(sys.argv[1]).touch()
        time.sleep(60)
def format_report(*args):
    Finalizer()
    return report(*args)
train.format_report = format_report
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_after_training_always_exits_130(tmp_path, empty_data_home):
    """Low 14: a Ctrl-C that Python swallows still ends in exit status 130."""
    marker = tmp_path / "reporting"
    args = ["train", "--dataset", "digits", "--max-iter", "3"]
    process = _run_patched(FINALIZER_AT_REPORT, marker, args, empty_data_home)
    out, err = _signal_when_marked(process, marker, signal.SIGINT)
    assert "Trained 3 iterations" in out
    assert process.returncode == 130, err
    assert err.splitlines()[-1] == "skdigit: error: interrupted"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")
def test_a_file_size_limit_names_the_users_file(tmp_path, empty_data_home):
    """Low 5: `ulimit -f`: the error names the model file, not '[Errno 27]'."""
    resource = pytest.importorskip("resource")
    output = tmp_path / "out"

    def limit_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    result = subprocess.run(
        [sys.executable, "-m", "skdigit", "train", "--dataset", "digits", "-o", output],
        env={**cli_env(empty_data_home), "PYTHONDONTWRITEBYTECODE": "1"},
        preexec_fn=limit_file_size,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert (
        result.stderr == f"skdigit: error: {output / 'model.skops'}: File too large\n"
    )
    assert os.listdir(tmp_path) == []


def test_output_paths_are_checked_before_training(tmp_path, capsys):
    """Low 4 and 5: a name too long, or a link to nowhere, before any work."""
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "nowhere")
    for output, message in [
        (tmp_path / ("x" * 300), "is 300 bytes long"),
        (link, "is a symbolic link to"),
    ]:
        assert main(["train", "--dataset", "digits", "-o", str(output)]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""  # no training
        assert captured.err.startswith("skdigit: error: --output")
        assert message in captured.err
    assert os.listdir(tmp_path) == ["link"]
