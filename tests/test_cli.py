"""The ``skdigit`` command, end to end.

Most tests run the command in a subprocess exactly as a user would
(``python -m skdigit ...``); the rest call :func:`skdigit.cli.main` in-process to
stay fast. No test touches the internet: every run either passes
``--no-download`` / ``--dataset digits``, or points the downloads at a loopback
server.
"""

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("skops")
pytest.importorskip("tqdm")
Image = pytest.importorskip("PIL.Image")

from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

import skdigit  # noqa: E402
from skdigit import (  # noqa: E402
    GDLogisticRegression,
    MNISTIdxLoader,
    load_model,
    write_idx,
)
from skdigit._model_io import FORMAT_VERSION  # noqa: E402
from skdigit.cli import build_parser, main  # noqa: E402

PICTURES = ["loss_curve.png", "weights.png", "misclassified.png"]
NOTEBOOK_FIRST_LOSS = "Iteration    0 => Loss: 0.69314718055994528623"


def _env(data_home):
    env = dict(os.environ)
    env["SKDIGIT_DATA"] = str(data_home)
    env["MPLBACKEND"] = "Agg"
    return env


def run_cli(*args, data_home, timeout=120):
    """Run ``python -m skdigit ARGS`` with an empty (or given) data folder."""
    return subprocess.run(
        [sys.executable, "-m", "skdigit", *map(str, args)],
        env=_env(data_home),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_one_error_line(result, *fragments):
    """Exit status 2 and one 'skdigit: error: ...' line on stderr, no traceback."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("skdigit: error: ")
    assert "Traceback" not in result.stderr + result.stdout
    for fragment in fragments:
        assert fragment in lines[0]


def assert_valid_png(path, min_size=(200, 100)):
    with Image.open(path) as image:
        assert image.format == "PNG"
        image.verify()
    with Image.open(path) as image:
        width, height = image.size
        assert width >= min_size[0] and height >= min_size[1]
        # Not a blank canvas: something was drawn.
        assert np.unique(np.asarray(image.convert("L"))).size > 10


@pytest.fixture(autouse=True)
def _isolated_data_home(tmp_path, monkeypatch):
    """In-process runs see an empty $SKDIGIT_DATA, never the user's."""
    monkeypatch.setenv("SKDIGIT_DATA", str(tmp_path / "skdigit_data"))


@pytest.fixture(scope="module")
def empty_data_home(tmp_path_factory):
    return tmp_path_factory.mktemp("empty_data_home")


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory, empty_data_home):
    """``skdigit train --no-download --output DIR`` on a machine without MNIST."""
    output = tmp_path_factory.mktemp("digits_run") / "out"
    result = run_cli(
        "train", "--no-download", "--output", output, data_home=empty_data_home
    )
    return result, output


@pytest.fixture(scope="module")
def bundled_split():
    """The bundled digits as the command splits them."""
    X, y = load_digits(return_X_y=True)
    X = np.rint(X * (255 / 16)).astype(np.uint8)
    return train_test_split(
        X, y.astype(np.uint8), test_size=0.25, random_state=0, stratify=y
    )


# ------------------------------------------------------------------ fresh machine


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
    """Chunked fitting behind the progress bar gives exactly one long fit."""
    _, output = digits_run
    model, info = load_model(output / "model.skops")
    X_train, _, y_train, _ = bundled_split
    reference = GDLogisticRegression().fit(X_train, (y_train == 4).astype(int))
    assert model.get_params() == reference.get_params()
    assert model.loss_curve_ == reference.loss_curve_
    np.testing.assert_array_equal(model.coef_, reference.coef_)
    np.testing.assert_array_equal(model.intercept_, reference.intercept_)

    metadata = info["metadata"]
    assert info["format"] == FORMAT_VERSION
    assert info["skdigit_version"] == skdigit.__version__
    assert metadata["digit"] == 4 and metadata["image_shape"] == [8, 8]
    assert metadata["dataset"] == "digits" and metadata["pixel_scale"] == 1.0
    assert metadata["learning_rate"] == 1e-5 and metadata["max_iter"] == 200


def test_evaluate_reproduces_the_train_metrics(digits_run, capsys):
    _, output = digits_run
    metrics = json.loads((output / "metrics.json").read_text())
    assert main(["evaluate", str(output / "model.skops")]) == 0
    out = capsys.readouterr().out
    assert "Data: scikit-learn's bundled 8x8 digits (test 450)" in out
    assert f"accuracy   {metrics['accuracy']:.4f}" in out

    assert main(["evaluate", "--json", str(output / "model.skops")]) == 0
    evaluated = json.loads(capsys.readouterr().out)
    for key in ["accuracy", "precision", "recall", "f1", "confusion_matrix"]:
        assert evaluated[key] == metrics[key]


def test_python_m_and_the_console_script(empty_data_home):
    result = run_cli("--help", data_home=empty_data_home)
    assert result.returncode == 0
    assert result.stdout.startswith("usage: skdigit ")
    for command in ["train", "predict", "evaluate", "examples:"]:
        assert command in result.stdout
    script = shutil.which("skdigit", path=os.path.dirname(sys.executable))
    if script is None:
        pytest.skip("the skdigit console script is not installed next to python")
    version = subprocess.run(
        [script, "--version"], capture_output=True, text=True, timeout=60
    )
    assert version.returncode == 0
    assert version.stdout.startswith(f"skdigit {skdigit.__version__}")


@pytest.mark.parametrize(
    "command, expected",
    [
        ("train", ["--learning-rate LR", "(default: 1e-05)", "(default: 200)"]),
        ("train", ["--split-test-set N", "--no-download", "examples:"]),
        ("predict", ["IMAGE [IMAGE ...]", "--invert", "--json"]),
        ("evaluate", ["MODEL", "--data-dir DIR", "example:"]),
    ],
)
def test_help_of_each_command(command, expected, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for text in expected:
        assert text in out


def test_build_parser_defaults_are_the_notebook():
    args = build_parser().parse_args(["train"])
    assert (args.digit, args.learning_rate, args.max_iter) == (4, 1e-5, 200)
    assert (args.alpha, args.scale, args.all_digits) == (0.0, False, False)


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
        digit = 255 - X_test[index].reshape(8, 8)
        path = tmp_path / f"digit{index}.png"
        Image.fromarray(digit).resize((64, 64), Image.Resampling.BILINEAR).save(path)
        paths.append(path)
    assert (
        main(["predict", "--json", str(tmp_path / "model.skops"), *map(str, paths)])
        == 0
    )
    results = json.loads(capsys.readouterr().out)
    right = sum(r["prediction"] == y for r, y in zip(results, y_test[:10], strict=True))
    assert right >= 8


def test_scale_records_the_pixel_scale(tmp_path, capsys):
    args = ["train", "--dataset", "digits", "--scale", "--learning-rate", "0.5"]
    assert main([*args, "--max-iter", "50", "--output", str(tmp_path)]) == 0
    assert "(scaled to 0-1)" in capsys.readouterr().out
    _, info = load_model(tmp_path / "model.skops")
    assert info["metadata"]["pixel_scale"] == pytest.approx(1 / 255)
    assert main(["evaluate", "--json", str(tmp_path / "model.skops")]) == 0
    assert json.loads(capsys.readouterr().out)["accuracy"] > 0.97


def test_failed_downloads_fall_back_with_one_line(
    tmp_path, capsys, http_mirror, monkeypatch
):
    import skdigit._mnist

    monkeypatch.setattr(skdigit._mnist, "MNIST_MIRRORS", (http_mirror.url("missing"),))
    assert main(["train", "--data-dir", str(tmp_path), "--max-iter", "2"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith(
        "MNIST could not be loaded (could not download t10k-images-idx3-ubyte.gz "
        "from any mirror: HTTP 404"
    )
    assert first.endswith("using scikit-learn's bundled 8x8 digits instead")
    assert http_mirror.requests  # it did try the (loopback) mirror


def test_dataset_mnist_does_not_fall_back(tmp_path, capsys):
    args = ["train", "--dataset", "mnist", "--no-download", "--data-dir", str(tmp_path)]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("skdigit: error: MNIST could not be loaded: ")
    assert "downloading is off" in captured.err


# ------------------------------------------------------------------------ errors


def test_error_missing_model(tmp_path, capsys):
    assert main(["predict", str(tmp_path / "nope.skops"), "x.png"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("skdigit: error: no such model file") and "nope.skops" in err


def test_error_not_a_model(tmp_path, capsys):
    fake = tmp_path / "model.skops"
    fake.write_text("I am not a model\n")
    assert main(["evaluate", str(fake)]) == 2
    err = capsys.readouterr().err
    expected = f"'{fake}' is not a skdigit model file: it is not a zip archive"
    assert err == f"skdigit: error: {expected}\n"


def test_error_unreadable_image(tmp_path, digits_run, empty_data_home):
    _, output = digits_run
    broken = tmp_path / "digit.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n but then nothing of an image")
    result = run_cli(
        "predict", output / "model.skops", broken, data_home=empty_data_home
    )
    assert_one_error_line(result, str(broken))


def test_error_corrupt_idx_file_is_not_a_fallback(tmp_path, empty_data_home):
    data_dir = tmp_path / "mnist"
    data_dir.mkdir()
    (data_dir / "t10k-images-idx3-ubyte").write_bytes(b"garbage" * 100)
    write_idx(data_dir / "t10k-labels-idx1-ubyte", np.zeros(10, dtype=np.uint8))
    result = run_cli(
        "train", "--data-dir", data_dir, "--no-download", data_home=empty_data_home
    )
    assert_one_error_line(result, "t10k-images-idx3-ubyte", "not an IDX file")
    assert "bundled" not in result.stdout


def test_error_bad_folders(tmp_path, capsys):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert main(["train", "--data-dir", str(a_file)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    args = ["train", "--dataset", "digits", "--output", str(a_file)]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # refused before any training
    assert captured.err.startswith("skdigit: error: --output")


def test_error_model_from_a_newer_skdigit(tmp_path, digits_run, capsys):
    import zipfile

    _, output = digits_run
    newer = tmp_path / "newer.skops"
    with (
        zipfile.ZipFile(output / "model.skops") as source,
        zipfile.ZipFile(newer, "w") as target,
    ):
        for name in source.namelist():
            data = source.read(name)
            if name == "skdigit.json":
                header = json.loads(data)
                header["format"] = FORMAT_VERSION + 1
                data = json.dumps(header)
            target.writestr(name, data)
    assert main(["evaluate", str(newer)]) == 2
    err = capsys.readouterr().err
    assert "written by a newer skdigit" in err and "upgrade skdigit" in err


def test_error_diverging_learning_rate(capsys):
    args = ["train", "--dataset", "digits", "--learning-rate", "100"]
    assert main(args) == 2
    assert "diverged" in capsys.readouterr().err


def test_debug_shows_the_traceback(tmp_path):
    with pytest.raises(FileNotFoundError):
        main(["predict", "--debug", str(tmp_path / "nope.skops"), "x.png"])
    with pytest.raises(FileNotFoundError):
        main(["--debug", "predict", str(tmp_path / "nope.skops"), "x.png"])


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


def test_usage_errors_exit_2(capsys):
    for argv in [[], ["train", "--max-iter", "0"], ["train", "--digit", "12"]]:
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
    assert "usage: skdigit" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_stops_cleanly_and_keeps_the_model(tmp_path, empty_data_home):
    output = tmp_path / "out"
    # A shell that runs commands in the background ignores SIGINT, and children
    # inherit that; put Python's Ctrl-C handler back as a terminal would have it.
    code = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler);"
        "from skdigit.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    args = ["train", "--dataset", "digits", "--max-iter", "100000000", "-o", output]
    process = subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        env=_env(empty_data_home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        head = [process.stdout.readline() for _ in range(2)]
        assert head[1].startswith("Training a digit-4 detector")
        # Let a few chunks of iterations run, then press Ctrl-C.
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=1.5)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert "Interrupted (Ctrl-C) after" in out
    assert "accuracy" in out and "Saved in" in out
    model, info = load_model(output / "model.skops")
    assert 0 < model.n_iter_ < 100000000
    assert info["metadata"]["interrupted"] is True
    assert json.loads((output / "metrics.json").read_text())["interrupted"] is True


# ------------------------------------------------------------------- real MNIST


@pytest.fixture(scope="module")
def mnist_runs(mnist_file, tmp_path_factory, empty_data_home):
    """Train on the first 8000 real t10k images, test on the last 2000."""
    folder = mnist_file("t10k-images-idx3-ubyte.gz").parent
    mnist_file("t10k-labels-idx1-ubyte.gz")
    base = tmp_path_factory.mktemp("mnist_runs")
    common = ["--data-dir", folder, "--no-download", "--split-test-set", 8000]
    detector = run_cli(
        "train",
        *common,
        "--max-iter",
        60,
        "--output",
        base / "four",
        data_home=empty_data_home,
    )
    ten = run_cli(
        "train",
        *common,
        "--all-digits",
        "--max-iter",
        40,
        "--output",
        base / "ten",
        data_home=empty_data_home,
    )
    return folder, detector, base / "four", ten, base / "ten"


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


def test_evaluate_real_model_uses_its_split(mnist_runs, capsys):
    folder, _, output, _, _ = mnist_runs
    metrics = json.loads((output / "metrics.json").read_text())
    args = [
        "evaluate",
        "--json",
        str(output / "model.skops"),
        "--data-dir",
        str(folder),
    ]
    assert main([*args, "--no-download"]) == 0
    evaluated = json.loads(capsys.readouterr().out)
    assert evaluated["n_test"] == 2000
    assert evaluated["accuracy"] == metrics["accuracy"]


def test_evaluate_real_model_without_mnist_is_an_error(mnist_runs, tmp_path, capsys):
    _, _, output, _, _ = mnist_runs
    args = ["evaluate", str(output / "model.skops"), "--data-dir", str(tmp_path)]
    assert main([*args, "--no-download"]) == 2
    assert "MNIST could not be loaded" in capsys.readouterr().err


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
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Data: MNIST from {data_dir} (train 8000, test 10000)"
    # The notebook's cells 15 and 16: the first ten test predictions and labels.
    first_ten = out.index(
        "First ten predictions vs labels (1 = a 4, 0 = another digit):"
    )
    assert out[first_ten + 1] == "  predicted  0 0 0 0 1 0 1 0 0 0"
    assert out[first_ten + 2] == "  label      0 0 0 0 1 0 1 0 0 0"


def _write_variants(image, folder, name):
    """The digit as MNIST stores it, and inverted, off-centre and larger."""
    plain = folder / f"{name}.png"
    Image.fromarray(image).save(plain)
    paper = np.full((150, 110), 255, dtype=np.uint8)
    ink = Image.fromarray(255 - image).resize((56, 56), Image.Resampling.BILINEAR)
    paper[8:64, 50:106] = np.asarray(ink)  # top right corner
    inverted = folder / f"{name}-inverted.jpg"
    Image.fromarray(paper).convert("RGB").save(inverted, quality=95)
    return [plain, inverted]


def test_predict_recognises_real_mnist_digits(mnist_runs, tmp_path, empty_data_home):
    folder, _, four_dir, ten_result, ten_dir = mnist_runs
    assert ten_result.returncode == 0, ten_result.stderr
    images, labels = MNISTIdxLoader(data_home=folder, download=False).load(
        "test", as_images=True
    )
    model, _ = load_model(ten_dir / "model.skops")
    held_out = np.arange(8000, 10000)
    proba = model.predict_proba(images[held_out].reshape(len(held_out), -1) * 1.0)
    # Digits the model gets right with confidence: one 4 and three others.
    wanted, chosen = {0, 2, 4, 7}, {}
    for index, row in zip(held_out, proba, strict=True):
        digit = int(labels[index])
        if (
            digit in wanted - chosen.keys()
            and row.argmax() == digit
            and row[digit] > 0.9
        ):
            chosen[digit] = index
    assert chosen.keys() == wanted
    expected = {}
    for digit, index in chosen.items():
        for path in _write_variants(images[index], tmp_path, f"digit{digit}"):
            expected[str(path)] = digit

    result = run_cli(
        "predict", ten_dir / "model.skops", *expected, data_home=empty_data_home
    )
    assert result.returncode == 0, result.stderr
    for line in result.stdout.splitlines():
        path, _, rest = line.partition(": ")
        assert rest.split()[0] == str(expected[path]), line

    # The digit-4 detector says "a 4" for the 4s and "not a 4" for the others.
    result = run_cli(
        "predict",
        "--json",
        four_dir / "model.skops",
        *expected,
        data_home=empty_data_home,
    )
    assert result.returncode == 0, result.stderr
    for record in json.loads(result.stdout):
        assert record["is_digit"] == (expected[record["image"]] == 4), record
