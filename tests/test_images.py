"""Tests for skdigit._images: pictures of digits to MNIST-style 28x28 arrays."""

import gzip
import io
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from scipy import ndimage

from skdigit import (
    DigitImageError,
    ImageTooLargeError,
    NoDigitError,
    load_digit_image,
    prepare_digit,
)
from skdigit._strokes import fitted_width

from .pictures import (
    CONDITIONS,
    condition,
    cropped_to_the_ink,
    handwritten,
    photographed,
    printed,
    random_scene,
)

CASES = Path(__file__).parent / "cases"


def _bounding_box(image):
    rows = np.flatnonzero(image.any(axis=1))
    cols = np.flatnonzero(image.any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def _corr(a, b):
    return np.corrcoef(a.ravel().astype(float), b.ravel().astype(float))[0, 1]


def _best_shifted_corr(image, reference):
    """Correlation, allowing a shift of one pixel.

    A digit whose centre of mass falls exactly between two pixels may land one
    pixel either way (a tiny change such as JPEG noise can tip it), and for thin
    strokes that shift alone drops the plain correlation to about 0.6.
    """
    return max(
        _corr(np.roll(image, (dy, dx), axis=(0, 1)), reference)
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
    )


def _paper_with_rectangle(ink=0, paper=255):
    """A 60x30 rectangle, dark on light, far off-centre in a 200x150 picture."""
    picture = np.full((200, 150), paper, dtype=np.uint8)
    picture[20:80, 100:130] = ink
    return picture


def _ring_picture(size=(120, 160), ink=(0, 0, 0), paper=(255, 255, 255), mode="RGB"):
    """A thick ring, like a handwritten zero, off-centre."""
    image = Image.new(mode, size, paper)
    ImageDraw.Draw(image).ellipse((20, 30, 70, 130), outline=ink, width=8)
    return image


def _assert_mnist_like(digit):
    assert digit.shape == (28, 28)
    assert digit.dtype == np.uint8
    assert digit.max() == 255
    # The background is black and the digit fits the 20x20 box, as in MNIST.
    assert digit[[0, -1], :].max() == 0 and digit[:, [0, -1]].max() == 0
    assert max(_bounding_box(digit)) == 20
    row, col = ndimage.center_of_mass(digit.astype(float))
    assert abs(row - 14) <= 1 and abs(col - 14) <= 1


# ----------------------------------------------------------------- synthetic shapes


def test_off_centre_rectangle_on_white_becomes_centred_bright_digit():
    digit = load_digit_image(_paper_with_rectangle())
    _assert_mnist_like(digit)
    # 60x30 is 20 pixels tall; a plain resize would make it 10 wide, far bolder
    # than MNIST's strokes, which are 3 at most.
    assert _bounding_box(digit) == (20, 3)
    assert digit[14, 14] == 255


def test_invert_auto_matches_the_forced_choice():
    dark_on_light = _paper_with_rectangle()
    light_on_dark = 255 - dark_on_light
    auto_dark = load_digit_image(dark_on_light)
    np.testing.assert_array_equal(
        auto_dark, load_digit_image(dark_on_light, invert=True)
    )
    np.testing.assert_array_equal(auto_dark, load_digit_image(light_on_dark))
    np.testing.assert_array_equal(
        auto_dark, load_digit_image(light_on_dark, invert=False)
    )


@pytest.mark.parametrize("invert", ["yes", None, 1])
def test_bad_invert_is_rejected(invert):
    with pytest.raises(ValueError, match="invert"):
        load_digit_image(_paper_with_rectangle(), invert=invert)


def test_grey_paper_and_grey_ink_like_a_dim_photo():
    clean = load_digit_image(_paper_with_rectangle())
    dim = load_digit_image(_paper_with_rectangle(ink=60, paper=150))
    np.testing.assert_array_equal(dim, clean)


def test_float_bool_and_uint8_arrays_agree():
    picture = _paper_with_rectangle()
    expected = load_digit_image(picture)
    np.testing.assert_array_equal(load_digit_image(picture / 255.0), expected)
    np.testing.assert_array_equal(load_digit_image(picture.astype(float)), expected)
    np.testing.assert_array_equal(load_digit_image(picture == 0), expected)
    np.testing.assert_array_equal(load_digit_image(picture.tolist()), expected)


def test_tiny_digit_is_enlarged_to_the_box():
    picture = np.zeros((50, 50))
    picture[10:14, 30:32] = 1.0  # a 4x2 speck
    digit = load_digit_image(picture)
    assert _bounding_box(digit) == (20, 10)


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.zeros((4, 5, 3)), "2-D"),
        (np.zeros(10), "2-D"),
        (np.full((5, 5), 300.0), r"\[0, 255\]"),
        (np.full((5, 5), -1), r"\[0, 255\]"),
        (np.array([[np.nan, 1.0], [0.0, 1.0]]), "finite"),
        (np.array([["a", "b"]]), "numbers"),
    ],
)
def test_bad_arrays_name_the_parameter(array, message):
    with pytest.raises(ValueError, match=message) as info:
        load_digit_image(array)
    assert "source" in str(info.value)


def test_blank_array_is_an_error():
    with pytest.raises(NoDigitError, match=r"contains no digit \(the image is blank"):
        load_digit_image(np.full((40, 40), 255, dtype=np.uint8))


def test_noisy_blank_paper_is_not_a_digit():
    # Sensor noise and a lighting gradient, but nothing written.
    rng = np.random.default_rng(0)
    paper = np.linspace(250, 150, 300)[None, :] + rng.normal(0, 12, (200, 300))
    with pytest.raises(NoDigitError) as info:
        prepare_digit(np.clip(paper, 0, 255))
    assert info.value.path is None


def test_a_few_specks_are_not_a_digit():
    paper = np.full((300, 400), 230, dtype=np.uint8)
    for row, col in [(40, 50), (200, 310), (120, 220), (260, 30)]:
        paper[row : row + 3, col : col + 4] = 30
    with pytest.raises(NoDigitError, match="only specks"):
        prepare_digit(paper)


# ------------------------------------------------------------- never a crash


def test_seven_with_webp_artefacts_is_prepared():
    # A clear 7 whose mottled paper holds brighter pieces than the digit's own
    # inside the digit's box: the strokes' threshold used to rise above them all.
    digit = load_digit_image(CASES / "prepare_digit_indexerror_seven.png")
    assert digit.shape == (28, 28) and digit.max() == 255


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    height=st.integers(8, 120),
    width=st.integers(8, 120),
    strokes=st.integers(0, 4),
    blocks=st.integers(0, 3),
    blur=st.floats(0.0, 3.0),
    noise=st.floats(0.0, 40.0),
    invert=st.sampled_from(["auto", True, False]),
)
def test_any_picture_gives_a_digit_or_no_digit_error(
    seed, height, width, strokes, blocks, blur, noise, invert
):
    rng = np.random.default_rng(seed)
    picture = random_scene(
        rng,
        size=(height, width),
        strokes=strokes,
        blocks=blocks,
        blur=blur,
        noise=noise,
    )
    try:
        digit = prepare_digit(picture, invert=invert)
    except NoDigitError:
        return
    assert digit.shape == (28, 28) and digit.dtype == np.uint8
    assert digit.max() == 255


# ---------------------------------------------------------------------- files


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_png_and_jpeg_files_by_path_and_file_object(tmp_path, suffix):
    path = tmp_path / f"zero{suffix}"
    _ring_picture().save(path)
    reference = load_digit_image(np.asarray(_ring_picture().convert("L")))

    from_path = load_digit_image(path)
    _assert_mnist_like(from_path)
    np.testing.assert_array_equal(load_digit_image(str(path)), from_path)
    with open(path, "rb") as file:
        np.testing.assert_array_equal(load_digit_image(file), from_path)
    # JPEG's compression noise must not change the picture noticeably.
    assert _best_shifted_corr(from_path, reference) > 0.98


def test_rgba_with_transparent_background_is_paper(tmp_path):
    path = tmp_path / "drawn.png"
    _ring_picture(ink=(0, 0, 0, 255), paper=(0, 0, 0, 0), mode="RGBA").save(path)
    digit = load_digit_image(path)
    expected = load_digit_image(np.asarray(_ring_picture().convert("L")))
    np.testing.assert_array_equal(digit, expected)


def test_white_digit_on_transparent_background_is_not_lost(tmp_path):
    path = tmp_path / "chalk.png"
    _ring_picture(ink=(255, 255, 255, 255), paper=(0, 0, 0, 0), mode="RGBA").save(path)
    expected = load_digit_image(np.asarray(_ring_picture().convert("L")))
    np.testing.assert_array_equal(load_digit_image(path), expected)


def test_sixteen_bit_png_is_rescaled_not_clipped(tmp_path):
    path = tmp_path / "deep.png"
    picture = _paper_with_rectangle().astype(np.uint16) * 257
    Image.fromarray(picture).save(path)
    np.testing.assert_array_equal(
        load_digit_image(path), load_digit_image(_paper_with_rectangle())
    )


def test_exif_rotation_of_photos_is_applied(tmp_path):
    path = tmp_path / "photo.jpg"
    # Stored wide, but tagged "rotate 90 degrees": the digit is really tall.
    wide = Image.fromarray(_paper_with_rectangle().T.copy())
    exif = Image.Exif()
    exif[0x0112] = 6
    wide.save(path, exif=exif)
    height, width = _bounding_box(load_digit_image(path))
    assert height == 20 and width < 10


def test_blank_file_error_names_the_file(tmp_path):
    path = tmp_path / "empty_page.png"
    Image.new("L", (50, 50), 255).save(path)
    with pytest.raises(NoDigitError, match="contains no digit") as info:
        load_digit_image(path)
    assert "empty_page.png" in str(info.value)
    assert info.value.path == str(path)


@pytest.mark.parametrize(
    "content", [b"these are my notes, not a picture\n", b"\x89PNG\r\n\x1a\n\0\0"]
)
def test_file_that_is_not_an_image(tmp_path, content):
    path = tmp_path / "notes.png"
    path.write_bytes(content)
    with pytest.raises(DigitImageError, match=r"cannot read .* as a picture") as info:
        load_digit_image(path)
    assert "notes.png" in str(info.value)
    assert info.value.path == str(path)


def test_file_object_that_is_not_an_image():
    with pytest.raises(DigitImageError, match=r"cannot read .* as a picture") as info:
        load_digit_image(io.BytesIO(b"plain text"))
    assert info.value.path is None


def test_text_mode_file_object_is_refused(tmp_path):
    path = tmp_path / "zero.png"
    _ring_picture().save(path)
    with (
        open(path, encoding="latin-1") as file,
        pytest.raises(ValueError, match="binary mode"),
    ):
        load_digit_image(file)


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere" / "seven.png"
    with pytest.raises(FileNotFoundError, match=r"seven\.png"):
        load_digit_image(path)


def test_folder_is_not_an_image(tmp_path):
    with pytest.raises(IsADirectoryError, match="folder"):
        load_digit_image(tmp_path)


def test_missing_pillow_gives_the_install_hint(tmp_path, monkeypatch):
    path = tmp_path / "zero.png"
    _ring_picture().save(path)
    monkeypatch.setitem(sys.modules, "PIL", None)
    for source in (path, _paper_with_rectangle()):
        with pytest.raises(ImportError, match=r'pip install "skdigit\[cli\]"'):
            load_digit_image(source)


# ----------------------------------------------------------------- real MNIST

# The comparison allows a one-pixel shift (see _best_shifted_corr). Measured over
# the first 1000 t10k digits: as-is PNG round trips score at least 0.998; inverted,
# scaled x4, off-centre pages at least 0.85 as PNG and 0.87 as JPEG (mean 0.978);
# the worst ones differ from the original only by sub-pixel stroke placement.
N_REAL_DIGITS = 20


@pytest.fixture(scope="module")
def mnist_digits(mnist_file):
    path = mnist_file("t10k-images-idx3-ubyte.gz")
    with gzip.open(path, "rb") as file:
        header_and_pixels = file.read(16 + N_REAL_DIGITS * 28 * 28)
    return np.frombuffer(header_and_pixels, dtype=np.uint8, offset=16).reshape(
        -1, 28, 28
    )


def test_real_mnist_digits_round_trip_as_is(tmp_path, mnist_digits):
    plain = []
    for index, original in enumerate(mnist_digits):
        path = tmp_path / f"digit{index}.png"
        Image.fromarray(original).save(path)
        digit = load_digit_image(path)
        assert _best_shifted_corr(digit, original) > 0.99
        plain.append(_corr(digit, original))
    # Most are reproduced exactly, without any shift.
    assert np.median(plain) > 0.999


def test_real_mnist_digits_inverted_scaled_off_centre(tmp_path, mnist_digits):
    scores = []
    for index, original in enumerate(mnist_digits):
        # Black ink on white paper, four times larger, off-centre on a 180x160 page.
        ink = Image.fromarray(255 - original).resize(
            (112, 112), Image.Resampling.BICUBIC
        )
        page = Image.new("L", (180, 160), 255)
        page.paste(ink, (60, 5))
        path = tmp_path / f"scan{index}.jpg"
        page.save(path, quality=90)
        scores.append(_best_shifted_corr(load_digit_image(path), original))
    assert min(scores) > 0.8
    assert np.mean(scores) > 0.95


# --------------------------------------------------------------- file modes


@pytest.mark.parametrize("mode", ["1", "P", "CMYK", "LA", "I", "F"])
def test_every_pillow_mode_reads_like_grey(tmp_path, mode):
    grey = _ring_picture().convert("L")
    expected = load_digit_image(np.asarray(grey))
    picture = grey.convert(mode) if mode != "LA" else grey.convert("LA")
    suffix = ".tiff" if mode in ("CMYK", "I", "F") else ".png"
    path = tmp_path / f"ring{suffix}"
    picture.save(path)
    if mode == "I":  # 32-bit ints read as 16-bit levels
        Image.fromarray(np.asarray(grey, dtype=np.int32) * 257).save(path)
    assert _best_shifted_corr(load_digit_image(path), expected) > 0.98


def test_transparent_palette_colour_is_paper(tmp_path):
    # A palette PNG whose white entry is marked transparent (a tRNS chunk).
    picture = _ring_picture(ink=(200, 0, 0)).convert("P")
    white = picture.getpixel((0, 0))
    path = tmp_path / "sticker.png"
    picture.save(path, transparency=white)
    expected = load_digit_image(np.asarray(_ring_picture().convert("L")))
    assert _best_shifted_corr(load_digit_image(path), expected) > 0.98


# ------------------------------------------------------------ decoding limits


def _png_header_only(width, height):
    """A valid-looking PNG file that declares a size and holds no pixels."""
    import struct
    import zlib

    def chunk(kind, data):
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [20_000, 100_000])
def test_decompression_bomb_is_refused_before_decoding(tmp_path, side):
    # A 65-byte file claiming side x side pixels: Pillow's own guard stops it
    # before it says the size, so only the limit is known.
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header_only(side, side))
    assert path.stat().st_size == 65
    with pytest.raises(ImageTooLargeError, match=r"bomb\.png' is too large") as info:
        load_digit_image(path)
    error = info.value
    assert (error.path, error.unit, error.found) == (str(path), "pixels", None)
    assert error.limit == 100_000_000
    assert "max_pixels" in str(error)


def test_pixel_limit_reports_the_declared_size(tmp_path, monkeypatch):
    from PIL import Image as PILImage

    # Without Pillow's guard, the size the file declares is checked and told.
    monkeypatch.setattr(PILImage, "MAX_IMAGE_PIXELS", None)
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header_only(100_000, 100_000))
    with pytest.raises(ImageTooLargeError, match="10,000,000,000 pixels") as info:
        load_digit_image(path)
    assert info.value.found == 10**10


def test_max_pixels_applies_to_real_pictures(tmp_path):
    path = tmp_path / "zero.png"
    _ring_picture().save(path)  # 120 x 160
    with pytest.raises(ImageTooLargeError) as info:
        load_digit_image(path, max_pixels=120 * 160 - 1)
    assert (info.value.found, info.value.limit) == (120 * 160, 120 * 160 - 1)
    _assert_mnist_like(load_digit_image(path, max_pixels=120 * 160))


def test_pillow_guard_above_max_pixels_is_named(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header_only(100_000, 100_000))
    with pytest.raises(ImageTooLargeError, match=r"PIL\.Image\.MAX_IMAGE_PIXELS"):
        load_digit_image(path, max_pixels=10**11)


def test_byte_limit_for_paths_and_file_objects(tmp_path):
    path = tmp_path / "zero.png"
    _ring_picture().save(path)
    size = path.stat().st_size
    with pytest.raises(ImageTooLargeError, match="max_bytes") as info:
        load_digit_image(path, max_bytes=size - 1)
    assert (info.value.unit, info.value.found, info.value.limit) == (
        "bytes",
        size,
        size - 1,
    )
    with open(path, "rb") as file, pytest.raises(ImageTooLargeError) as info:
        load_digit_image(file, max_bytes=size - 1)
    assert (info.value.unit, info.value.found) == ("bytes", None)
    with open(path, "rb") as file:
        _assert_mnist_like(load_digit_image(file, max_bytes=size))


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_large_picture_is_read_like_a_small_one(tmp_path, suffix):
    # 4000 x 4000: shrunk early (JPEG decoded at a reduced scale, PNG reduced
    # before any float conversion), it gives what its 400 x 400 copy gives.
    small = handwritten(4, size=400, width=0.05)
    path = tmp_path / f"large{suffix}"
    small.resize((4000, 4000), Image.Resampling.BILINEAR).save(path)
    expected = load_digit_image(np.asarray(small))
    assert _best_shifted_corr(load_digit_image(path), expected) > 0.97


def test_large_array_is_shrunk_first():
    small = np.asarray(handwritten(7, size=300, width=0.05))
    large = np.kron(small, np.ones((8, 8), dtype=np.uint8))  # 2400 x 2400
    assert _best_shifted_corr(prepare_digit(large), prepare_digit(small)) > 0.97


# ---------------------------------------------------------- photographed digits

# Digits drawn with a thin pen, a pen and a marker (strokes 3%, 8% and 16% of the
# digit's height), slanted a little, and printed ones; each also "photographed":
# enlarged 2x, tinted paper and ink, a lighting gradient and vignette down to 55%
# of full light, sensor noise and paper texture, blur, JPEG at quality 70. Printed
# digits go on strongly coloured, noisier paper.
PEN_WIDTHS = {"thin pen": 0.03, "pen": 0.08, "marker": 0.16}
STYLES = [*PEN_WIDTHS, "printed"]


def _clean_picture(style, digit, slant=0.1):
    if style == "printed":
        return printed(digit)
    return handwritten(digit, width=PEN_WIDTHS[style], slant=slant)


def _photo_of(picture, style, rng, **options):
    if style == "printed":
        paper = tuple(int(c) for c in rng.integers(110, 256, size=3))
        return photographed(picture, rng, paper=paper, noise=22, **options)
    return photographed(picture, rng, **options)


@pytest.mark.parametrize("style", STYLES)
def test_photographed_digit_prepares_like_the_clean_one(style):
    # Without rotation, so that the two should match pixel for pixel (give or
    # take the one-pixel shift of a centre of mass between two pixels).
    rng = np.random.default_rng(STYLES.index(style))
    scores = []
    for digit in range(10):
        picture = _clean_picture(style, digit)
        photo = _photo_of(picture, style, rng, rotation=0.0)
        clean = load_digit_image(np.asarray(picture))
        scores.append(_best_shifted_corr(load_digit_image(io.BytesIO(photo)), clean))
    assert min(scores) > 0.85, scores
    assert np.mean(scores) > 0.93, scores


def test_specks_and_a_table_edge_are_ignored():
    rng = np.random.default_rng(7)
    for digit in (1, 4, 8):
        picture = _clean_picture("pen", digit)
        plain = load_digit_image(io.BytesIO(_photo_of(picture, "pen", rng, rotation=0)))
        dirty = _photo_of(picture, "pen", rng, rotation=0, specks=12, table=True)
        assert _best_shifted_corr(load_digit_image(io.BytesIO(dirty)), plain) > 0.9


@pytest.mark.parametrize("style", ["pen", "marker"])
@pytest.mark.parametrize("margin", [0, 3])
def test_digit_cropped_tight_prepares_like_the_page(style, margin):
    # A bold digit cut out with little or no paper around it covers most of the
    # picture: the paper has to be seen at the edges, not in the middle.
    rng = np.random.default_rng(margin)
    scores = []
    for digit in range(10):
        picture = _clean_picture(style, digit)
        tight = cropped_to_the_ink(picture, margin).astype(float)
        tight = np.clip(tight + rng.normal(0, 6, tight.shape), 0, 255)
        page = load_digit_image(np.asarray(picture))
        scores.append(_best_shifted_corr(load_digit_image(tight), page))
    assert min(scores) > 0.85, scores


def test_photo_of_a_digit_cropped_tight():
    rng = np.random.default_rng(11)
    for digit in (0, 4, 8):
        picture = _clean_picture("marker", digit)
        tight = Image.fromarray(cropped_to_the_ink(picture, 2))
        photo = _photo_of(tight, "marker", rng, rotation=0)
        page = load_digit_image(np.asarray(picture))
        assert _best_shifted_corr(load_digit_image(io.BytesIO(photo)), page) > 0.85


def test_thin_strokes_are_thickened_to_mnist_widths():
    # A hair-thin pen on a large picture would shrink to a faint trace.
    thin = load_digit_image(np.asarray(handwritten(7, size=600, width=0.01)))
    pen = load_digit_image(np.asarray(handwritten(7, size=600, width=0.08)))
    assert np.count_nonzero(thin > 127) > 0.6 * np.count_nonzero(pen > 127)


def test_light_digit_on_dark_uneven_background():
    # Chalk on a blackboard, lit from one side.
    picture = 255 - np.asarray(_clean_picture("marker", 3), dtype=np.float64)
    board = picture * 0.7 + np.linspace(20, 90, picture.shape[1])[None, :]
    clean = load_digit_image(picture)
    assert _best_shifted_corr(prepare_digit(np.clip(board, 0, 255)), clean) > 0.95


@pytest.fixture(scope="module")
def mnist_reader(mnist_file):
    """A 10-digit model trained on the first 10000 real MNIST training images."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    from skdigit import DigitDeskewer, GDLogisticRegression, read_idx

    images = read_idx(mnist_file("train-images-idx3-ubyte.gz"))[:10_000]
    labels = read_idx(mnist_file("train-labels-idx1-ubyte.gz"))[:10_000]
    # float32 all the way (the deskewer and the scalers keep it): half the time.
    images = images.reshape(len(images), -1).astype(np.float32)
    # Centred pixels take steps of 2 (see benchmarks/deskew_table.py): 100
    # iterations do what 700 do on pixels in [0, 1].
    model = make_pipeline(
        DigitDeskewer(),
        MinMaxScaler(),
        StandardScaler(with_std=False),
        GDLogisticRegression(multiclass="multinomial", learning_rate=2.0, max_iter=100),
    )
    return model.fit(images, labels)


def test_photos_are_read_as_well_as_clean_pictures(mnist_reader):
    rng = np.random.default_rng(42)
    pictures, photos, digits = [], [], []
    for style in STYLES:
        for digit in range(10):
            slant = rng.uniform(-0.1, 0.3)
            picture = _clean_picture(style, digit, slant=slant)
            pictures.append(load_digit_image(np.asarray(picture)).ravel())
            photo = _photo_of(picture, style, rng, specks=6, table=digit % 3 == 0)
            photos.append(load_digit_image(io.BytesIO(photo)).ravel())
            digits.append(digit)
    digits = np.array(digits)
    clean_right = mnist_reader.predict(np.array(pictures)) == digits
    photo_right = mnist_reader.predict(np.array(photos)) == digits
    # The clean pictures are read well enough for the comparison to mean something,
    # and the photos lose at most two of the forty.
    assert clean_right.mean() >= 0.8
    assert photo_right.sum() >= clean_right.sum() - 2


# ------------------------------------------------ conditions of real pictures

# Issue 19's conditions, drawn by tests/pictures.py: ruled and squared notebook
# paper, a hand's shadow across the page, pencil, a drawing app's screenshot, a
# small digit in a 4000x3000 photo, a chalkboard. One picture of each digit per
# condition, with the same digit drawn clean. Before the paper was cleaned of
# lines and shadows, the README's model read 76% of ruled, 86% of squared and
# 30% of shadowed pictures right (benchmarks/reading_table.py).


@pytest.mark.parametrize("name", CONDITIONS)
def test_pictures_under_a_condition_read_like_the_clean_digit(name, mnist_reader):
    rng = np.random.default_rng(CONDITIONS.index(name))
    clean, pictures = [], []
    for digit in range(10):
        drawn, picture = condition(name, digit, rng)
        clean.append(load_digit_image(drawn).ravel())
        pictures.append(load_digit_image(io.BytesIO(picture)).ravel())
    as_clean = mnist_reader.predict(np.array(pictures)) == mnist_reader.predict(
        np.array(clean)
    )
    assert as_clean.sum() >= 9, as_clean


@pytest.mark.parametrize("name", ["pencil", "drawing app"])
def test_strokes_come_out_as_wide_as_mnist(name):
    # MNIST's middle half: 1.65 to 2.33 pixels (benchmarks/mnist_strokes.py).
    # Pencil came out 1.0-1.3 pixels wide before the strokes were corrected.
    rng = np.random.default_rng(5)
    for digit in range(10):
        _, picture = condition(name, digit, rng)
        width = fitted_width(load_digit_image(io.BytesIO(picture)).astype(float))
        assert 1.5 <= width <= 2.5, (digit, width)


def test_hairline_on_a_large_picture_is_thickened_to_mnist():
    width = fitted_width(
        load_digit_image(np.asarray(handwritten(3, size=800, width=0.01))) / 255.0
    )
    assert 1.5 <= width <= 2.5
