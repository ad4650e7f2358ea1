"""Pictures of digits made for the tests: clean drawings, printed digits, and
versions that look photographed (uneven light, tinted noisy paper, blur, a slight
rotation, JPEG).

Nothing here reads a file: strokes are drawn with Pillow's ImageDraw along
hand-made skeletons, and printed digits use Pillow's built-in font
(``ImageFont.load_default(size=...)``, Pillow 10.1 or newer), so the pictures are
the same on every machine.
"""

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

# Skeletons of handwritten-looking digits in a unit box (x to the right, y down):
# each digit is a list of strokes, each stroke a list of points.


def _arc(cx, cy, rx, ry, start, stop, n=24):
    """Points on an ellipse from angle ``start`` to ``stop`` (degrees, y down)."""
    angles = np.radians(np.linspace(start, stop, n))
    return list(zip(cx + rx * np.cos(angles), cy + ry * np.sin(angles), strict=True))


SKELETONS = {
    0: [_arc(0.5, 0.5, 0.28, 0.44, 0, 360, 48)],
    1: [[(0.35, 0.2), (0.56, 0.05), (0.5, 0.95)]],
    2: [[*_arc(0.5, 0.3, 0.3, 0.24, 190, 370), (0.2, 0.94), (0.85, 0.94)]],
    3: [
        [
            *_arc(0.48, 0.28, 0.28, 0.22, 210, 450),
            *_arc(0.48, 0.7, 0.32, 0.24, 270, 510)[1:],
        ]
    ],
    4: [[(0.68, 0.95), (0.68, 0.05), (0.15, 0.66), (0.88, 0.66)]],
    5: [
        [(0.8, 0.06), (0.28, 0.06), (0.24, 0.45), *_arc(0.5, 0.66, 0.3, 0.27, 235, 500)]
    ],
    6: [
        [
            *_arc(0.95, 0.62, 0.7, 0.56, 235, 180, 12),
            *_arc(0.5, 0.7, 0.25, 0.24, 180, 540),
        ]
    ],
    7: [[(0.15, 0.06), (0.85, 0.06), (0.42, 0.95)]],
    8: [_arc(0.5, 0.27, 0.22, 0.21, 90, 450), _arc(0.5, 0.71, 0.27, 0.24, -90, 270)],
    9: [[*_arc(0.5, 0.3, 0.26, 0.24, 0, 360), (0.76, 0.3), (0.7, 0.95)]],
}


def handwritten(digit, *, size=160, width=0.08, slant=0.0):
    """A drawn digit, dark on white: strokes ``width`` of the height wide.

    ``slant`` leans the digit (x moves by ``slant * (0.5 - y)`` of the height).
    """
    image = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(image)
    margin, span = 0.2 * size, 0.6 * size
    pixels = max(1, round(width * span))
    for stroke in SKELETONS[digit]:
        points = [
            (margin + span * (x * 0.75 + 0.125 + slant * (0.5 - y)), margin + span * y)
            for x, y in stroke
        ]
        draw.line(points, fill=0, width=pixels, joint="curve")
        # Round pen tips at both ends.
        for x, y in (points[0], points[-1]):
            r = pixels / 2
            draw.ellipse((x - r, y - r, x + r, y + r), fill=0)
    return image


def printed(digit, *, size=160):
    """A digit printed in Pillow's built-in font, dark on white, centred."""
    font = ImageFont.load_default(size=round(0.6 * size))
    image = Image.new("L", (size, size), 255)
    ImageDraw.Draw(image).text(
        (size / 2, size / 2), str(digit), fill=0, font=font, anchor="mm"
    )
    return image


def cropped_to_the_ink(picture, margin):
    """The picture cut down to its dark pixels' bounding box plus ``margin``."""
    pixels = np.asarray(picture)
    rows = np.flatnonzero((pixels < 128).any(axis=1))
    cols = np.flatnonzero((pixels < 128).any(axis=0))
    return pixels[
        max(rows[0] - margin, 0) : rows[-1] + 1 + margin,
        max(cols[0] - margin, 0) : cols[-1] + 1 + margin,
    ]


def photographed(
    picture,
    rng,
    *,
    paper=(236, 228, 205),
    ink=(45, 40, 60),
    light=0.45,
    noise=10.0,
    blur=1.2,
    rotation=6.0,
    quality=70,
    scale=2,
    specks=0,
    table=False,
):
    """A photo-like version of a clean picture (dark ink on white).

    The picture is enlarged ``scale`` times (as a phone's resolution is higher
    than a drawing's), coloured with ``ink`` on ``paper``, lit unevenly (a
    gradient in a random direction and a vignette, down to ``1 - light`` of full
    light), blurred, rotated by up to ``rotation`` degrees, given sensor noise of
    standard deviation ``noise`` (plus a coarser paper texture) and saved as a JPEG
    of ``quality``. ``specks`` dark dots of dirt are sprinkled on the paper, and
    ``table`` shows a dark table along one side of the photo. Returns the JPEG
    file's bytes.
    """
    size = (picture.width * scale, picture.height * scale)
    big = picture.resize(size, Image.Resampling.BICUBIC)
    angle = rng.uniform(-rotation, rotation)
    big = big.rotate(angle, Image.Resampling.BICUBIC, fillcolor=255)
    _sprinkle(big, rng, specks)
    coverage = 1.0 - np.asarray(big, dtype=np.float32)[..., None] / 255.0
    paper, ink = np.float32(paper), np.float32(ink)
    colour = paper * (1 - coverage) + ink * coverage
    if table:
        _add_table(colour, rng)
    colour *= _lighting(size, rng, light)[..., None]
    colour += _texture(size, rng, noise)[..., None]
    colour += rng.normal(0.0, noise, colour.shape).astype(np.float32)
    image = Image.fromarray(np.clip(colour, 0, 255).astype(np.uint8), "RGB")
    image = image.filter(ImageFilter.GaussianBlur(blur * scale / 2))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def _sprinkle(image, rng, count):
    """Dark dots of dirt, up to 1% of the picture's side across, near the edges."""
    draw = ImageDraw.Draw(image)
    side = min(image.size)
    for _ in range(count):
        x, y = rng.uniform(0.03, 0.97, size=2) * np.array(image.size)
        # Keep clear of the digit, which is drawn in the middle three fifths.
        if 0.2 * side < x < 0.8 * side and 0.2 * side < y < 0.8 * side:
            x = 0.1 * side if x < side / 2 else 0.9 * side
        r = rng.uniform(0.002, 0.01) * side
        draw.ellipse((x - r, y - r, x + r, y + r), fill=int(rng.integers(0, 120)))


def _add_table(colour, rng):
    """A dark table beyond the paper's edge, along one side (6-10% of the photo)."""
    height, width = colour.shape[:2]
    depth = rng.uniform(0.06, 0.1)
    side = rng.integers(4)
    band = {
        0: np.s_[: round(depth * height)],
        1: np.s_[-round(depth * height) :],
        2: np.s_[:, : round(depth * width)],
        3: np.s_[:, -round(depth * width) :],
    }[side]
    colour[band] = (70, 55, 45)


def _lighting(size, rng, light):
    """Multiplicative light: a linear gradient times a vignette, in [1 - light, 1]."""
    width, height = size
    y, x = np.ogrid[0:height, 0:width]
    y, x = y / max(size), x / max(size)
    direction = rng.uniform(0, 2 * np.pi)
    ramp = x * np.cos(direction) + y * np.sin(direction)
    ramp = (ramp - ramp.min()) / np.ptp(ramp)
    cy, cx = rng.uniform(0.3, 0.7, size=2) * np.array([height, width]) / max(size)
    vignette = (x - cx) ** 2 + (y - cy) ** 2
    shade = 0.7 * ramp + 0.3 * vignette / vignette.max()
    return (1.0 - light * shade).astype(np.float32)


def _texture(size, rng, noise):
    """Coarse paper texture: noise blurred over a few pixels."""
    width, height = size
    coarse = rng.normal(0.0, 1.0, (height // 4 + 1, width // 4 + 1))
    texture = Image.fromarray(coarse.astype(np.float32)).resize(
        size, Image.Resampling.BICUBIC
    )
    return np.asarray(texture) * np.float32(noise)


def random_scene(rng, *, size=(64, 64), strokes=3, blocks=2, blur=1.0, noise=10.0):
    """A random grey picture (float array): lines and blocks of random greys on
    paper of a random grey, lit by a gradient, blurred and noisy.

    Made for property tests: such pictures may hold a digit-like shape, several,
    or nothing, and the preparation must cope with each.
    """
    image = Image.new("L", (size[1], size[0]), int(rng.integers(0, 256)))
    draw = ImageDraw.Draw(image)
    corners = lambda: tuple(rng.uniform(-0.1, 1.1, 2) * (size[1], size[0]))  # noqa: E731
    for _ in range(strokes):
        width = int(rng.integers(1, max(2, min(size) // 6)))
        draw.line(
            [corners(), corners(), corners()],
            fill=int(rng.integers(0, 256)),
            width=width,
        )
    for _ in range(blocks):
        (x0, y0), (x1, y1) = sorted([corners(), corners()])
        draw.rectangle(
            (x0, min(y0, y1), x1, max(y0, y1)), fill=int(rng.integers(0, 256))
        )
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    grey = np.asarray(image, dtype=np.float64)
    ramp = np.linspace(1.0, rng.uniform(0.3, 1.0), size[1])[None, :]
    grey = grey * ramp + rng.normal(0.0, noise, size)
    return np.clip(grey, 0, 255)
