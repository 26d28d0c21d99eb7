"""A clean page as a scanner, a fax machine or a carbon copy gives it back."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFilter

from postroom.style import Style


def scan(page: Image.Image, style: Style, seed: int) -> Image.Image:
    """Paper tone and ink, skew, blur, speckle and JPEG loss; 1-bit for fax, faint for carbon."""
    rng = np.random.default_rng(seed)
    ink, paper = style.ink, style.paper
    if style.grade == "carbon":
        ink, paper = int(rng.integers(105, 140)), int(rng.integers(212, 228))
    values = np.asarray(page, dtype=np.float32) / 255.0
    # Tone: black on the clean page becomes the ink's grey, white the paper's, with uneven
    # paper (a slow gradient) and grain.
    height, width = values.shape
    gradient = np.linspace(-6, 6, height, dtype=np.float32)[:, None] * rng.uniform(-1, 1)
    tone = ink + values * (paper - ink) + gradient + rng.normal(0, 3, values.shape)
    image = Image.fromarray(np.clip(tone, 0, 255).astype(np.uint8))
    image = image.rotate(style.skew, resample=Image.Resampling.BICUBIC, expand=False,
                         fillcolor=paper)
    blur = style.blur + (0.5 if style.grade == "carbon" else 0.0)
    image = image.filter(ImageFilter.GaussianBlur(radius=blur))
    values = np.asarray(image, dtype=np.int16).copy()
    count = int(values.size * style.speckle)
    ys, xs = rng.integers(0, height, count), rng.integers(0, width, count)
    values[ys, xs] = rng.choice(np.array([25, 70, 250], dtype=np.int16), count)
    if style.grade == "fax":
        return _fax(values, rng)
    image = Image.fromarray(np.clip(values, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=style.jpeg_quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def _fax(values: np.ndarray, rng: np.random.Generator) -> Image.Image:
    """Fax grade: thresholded to black and white with a jittered threshold, dropped pixels
    and the odd streak across the page, as a 200 dpi fax comes out."""
    threshold = rng.normal(150, 18, values.shape)
    black = values < threshold
    for _ in range(int(rng.integers(1, 5))):
        row = int(rng.integers(0, values.shape[0] - 3))
        black[row : row + int(rng.integers(1, 3)), :] ^= rng.random(values.shape[1]) < 0.3
    black &= rng.random(values.shape) > 0.04
    return Image.fromarray(np.where(black, 0, 255).astype(np.uint8))
