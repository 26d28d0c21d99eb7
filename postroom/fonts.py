"""Fonts the renderer draws with: Debian's DejaVu and Liberation faces, and a hand-drawn face
shipped in a PyPI package (font-intuitive, OFL) for handwritten letters and signatures."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

_TRUETYPE = Path("/usr/share/fonts/truetype")
FACES = {
    "serif": ("liberation/LiberationSerif-Regular.ttf", "dejavu/DejaVuSerif.ttf"),
    "serif-bold": ("liberation/LiberationSerif-Bold.ttf", "dejavu/DejaVuSerif-Bold.ttf"),
    "sans": ("liberation/LiberationSans-Regular.ttf", "dejavu/DejaVuSans.ttf"),
    "sans-bold": ("liberation/LiberationSans-Bold.ttf", "dejavu/DejaVuSans-Bold.ttf"),
    "dejavu-serif": ("dejavu/DejaVuSerif.ttf",),
    "dejavu-sans": ("dejavu/DejaVuSans.ttf",),
    "mono": ("liberation/LiberationMono-Regular.ttf", "dejavu/DejaVuSansMono.ttf"),
    "mono-bold": ("liberation/LiberationMono-Bold.ttf", "dejavu/DejaVuSansMono-Bold.ttf"),
}
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def handwriting_path() -> Path | None:
    """The hand-drawn face from the font-intuitive package, when it is installed."""
    try:
        import font_intuitive  # type: ignore[import-untyped]
    except ImportError:
        return None
    path = Path(font_intuitive.font_directory) / "Intuitive.ttf"
    return path if path.exists() else None


@lru_cache(maxsize=128)
def font(face: str, size_px: int) -> Font:
    """A face at a pixel size; the first installed file of the face, else Pillow's own."""
    if face == "hand":
        path = handwriting_path()
        if path is not None:
            return ImageFont.truetype(str(path), size_px)
        face = "serif"
    for relative in FACES[face]:
        candidate = _TRUETYPE / relative
        if candidate.exists():
            return ImageFont.truetype(str(candidate), size_px)
    return ImageFont.load_default(size=size_px)


def bold(face: str) -> str:
    """The bold face beside a regular one (the hand has none: it stays itself)."""
    base = {"dejavu-serif": "serif", "dejavu-sans": "sans"}.get(face, face)
    return f"{base}-bold" if f"{base}-bold" in FACES else base
