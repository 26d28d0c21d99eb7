"""What the classifiers read: word and character TF-IDF, pretrained word embeddings, or both.

The embeddings are WordLlama's 256-dimension token embeddings (`l2_supercat`), shipped inside
the `wordllama` wheel with their tokenizer: nothing is downloaded, ever (a missing file is an
error), and nothing of them is saved in a model file. A text's embedding is the mean of its
tokens' embeddings scaled to unit length, as WordLlama computes it, but pooled here text by
text: WordLlama pads a batch to its longest text, which for letters of several pages costs
hundreds of megabytes, and the mean over a text's own tokens is also what makes each token's
share of a prediction exact (`token_shares`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

TFIDF = "tfidf"
WORDLLAMA = "wordllama"
BOTH = "tfidf+wordllama"
REPRESENTATIONS = (TFIDF, WORDLLAMA, BOTH)
EMBEDDING_CONFIG = "l2_supercat"
EMBEDDING_DIM = 256
# The embedding block's length beside the TF-IDF blocks (each of those is scaled to length 1):
# the linear SVM's one regularisation then treats the two views alike.
EMBEDDING_WEIGHT = 1.0


class EmbeddingsUnavailable(RuntimeError):
    """The embedding package or its shipped files are missing."""


def uses_tfidf(representation: str) -> bool:
    return representation in (TFIDF, BOTH)


def uses_embeddings(representation: str) -> bool:
    return representation in (WORDLLAMA, BOTH)


def embeddings_version() -> str:
    from importlib.metadata import version

    return version("wordllama")


@lru_cache(maxsize=1)
def load_embeddings() -> Any:
    """WordLlama's embedding matrix and tokenizer, from the installed wheel only.

    `wordllama` 0.4 looks for its tokenizer under `tokenizer/` in its own folder but ships it
    under `tokenizers/`, which is where it looks in a cache folder: so its own folder is named
    as the cache, and downloads are switched off.
    """
    try:
        import wordllama
        from wordllama import WordLlama

        return WordLlama.load(config=EMBEDDING_CONFIG, dim=EMBEDDING_DIM,
                              cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    except (ImportError, FileNotFoundError, ValueError) as exc:
        raise EmbeddingsUnavailable(f"wordllama's shipped embeddings cannot be loaded: {exc}"
                                    ) from exc


def tokenize(texts: list[str]) -> list[tuple[np.ndarray, list[tuple[int, int]]]]:
    """Each text's token ids and their character spans in the text."""
    model = load_embeddings()
    encodings = model.tokenizer.encode_batch(texts, add_special_tokens=False)
    result = []
    for encoding in encodings:
        length = int(sum(encoding.attention_mask))
        result.append((np.asarray(encoding.ids[:length], dtype=np.int64),
                       list(encoding.offsets[:length])))
    return result


def pooled(ids: np.ndarray) -> tuple[np.ndarray, float]:
    """The mean of the tokens' embeddings before scaling, and its length (0 for no tokens)."""
    matrix = load_embeddings().embedding
    if ids.size == 0:
        return np.zeros(matrix.shape[1], dtype=np.float32), 0.0
    ids = np.clip(ids, 0, matrix.shape[0] - 1)
    mean = matrix[ids].mean(axis=0)
    return mean, float(np.linalg.norm(mean))


def embed(texts: list[str]) -> np.ndarray:
    """One unit-length row per text (a text with no tokens is all zeros)."""
    rows = np.zeros((len(texts), EMBEDDING_DIM), dtype=np.float32)
    for index, (ids, _spans) in enumerate(tokenize(texts)):
        mean, length = pooled(ids)
        if length > 0:
            rows[index] = mean / length
    return rows * EMBEDDING_WEIGHT


def token_shares(text: str, weights: np.ndarray) -> list[tuple[tuple[int, int], float]]:
    """Each token's exact share of `weights · embedding(text)`: the embedding is the tokens'
    mean scaled by one length, so the score is a sum over tokens."""
    ((ids, spans),) = tokenize([text])
    _mean, length = pooled(ids)
    if length == 0:
        return []
    matrix = load_embeddings().embedding
    scores = matrix[np.clip(ids, 0, matrix.shape[0] - 1)] @ weights
    scale = EMBEDDING_WEIGHT / (len(ids) * length)
    return [(span, float(score) * scale) for span, score in zip(spans, scores, strict=True)]


def build_matrix(features: Any, representation: str, texts: list[str],
                 embedded: np.ndarray | None = None) -> csr_matrix:
    """The rows the classifiers read: the TF-IDF blocks, the embedding block, or both side by
    side (`embedded` passes embeddings already computed for these texts)."""
    from scipy.sparse import csr_matrix, hstack

    blocks = []
    if uses_tfidf(representation):
        blocks.append(features.transform(texts))
    if uses_embeddings(representation):
        blocks.append(csr_matrix(embed(texts) if embedded is None else embedded))
    if not blocks:
        raise ValueError(f"unknown representation {representation!r}")
    return blocks[0].tocsr() if len(blocks) == 1 else hstack(blocks, format="csr")
