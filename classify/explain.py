"""Why an item was sorted so: the phrases of its text that weighed most for its category.

The category model is linear before its calibration: a linear SVM per category (one per
calibration fold, averaged here) over the item's features, so its score for a category is a
sum of weight x feature value, and each part of that sum belongs to some words of the text:

- a word or two-word TF-IDF feature belongs to that word or pair of words;
- a character n-gram (read within words) is shared among the words it occurs in, equally
  among its occurrences;
- the embedding block is the mean of the tokens' embeddings scaled to unit length, so each
  token's share is exact (`representation.token_shares`) and goes to the word it is part of.

The sigmoid calibration after the sum is monotonic, so what raises the score raises the
probability. The weights are shares of the score, not probabilities.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from classify.representation import EMBEDDING_DIM, token_shares, uses_embeddings

TOP = 5
_WORD = re.compile(r"\w\w+")


@dataclass(frozen=True)
class Phrase:
    """Words as the item wrote them, and their share of the chosen category's score."""

    text: str
    weight: float

    def as_dict(self) -> dict[str, object]:
        return {"phrase": self.text, "weight": round(self.weight, 4)}


@lru_cache(maxsize=65536)
def _key(text: str) -> str:
    """A phrase as the TF-IDF features see it: lower case, accents gone, words by spaces."""
    plain = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(_WORD.findall(plain))


def _cache(model: Any) -> dict[str, Any]:
    cache = model.__dict__.get("_explain_cache")
    if cache is None:
        cache = model.__dict__["_explain_cache"] = {}
    return cache


def class_weights(model: Any, category: str) -> np.ndarray:
    """The category's weight per feature, averaged over the calibrated model's folds."""
    cache = _cache(model)
    if category not in cache:
        rows = []
        for calibrated in model.category.calibrated_classifiers_:
            estimator = calibrated.estimator
            classes = [str(c) for c in estimator.classes_]
            coef = np.asarray(estimator.coef_)
            if coef.shape[0] == 1:  # two classes: one row, positive for the second
                rows.append(coef[0] if classes.index(category) == 1 else -coef[0])
            else:
                rows.append(coef[classes.index(category)])
        cache[category] = np.mean(rows, axis=0)
    return cache[category]


class _Block:
    """One TF-IDF block: its vectoriser, its terms in column order, and for the character
    block each word's columns (kept as words recur from item to item)."""

    def __init__(self, vectorizer: Any) -> None:
        self.vectorizer = vectorizer
        self.terms = [""] * len(vectorizer.vocabulary_)
        for term, column in vectorizer.vocabulary_.items():
            self.terms[column] = term
        self.width = len(self.terms)
        self.is_chars = vectorizer.analyzer == "char_wb"
        self._analyse = vectorizer.build_analyzer()
        self._preprocess = vectorizer.build_preprocessor()
        self._columns: dict[str, np.ndarray] = {}

    def columns(self, word: str) -> np.ndarray:
        found = self._columns.get(word)
        if found is None:
            vocabulary = self.vectorizer.vocabulary_
            found = np.fromiter((vocabulary[g] for g in self._analyse(word) if g in vocabulary),
                                dtype=np.int64)
            if len(self._columns) < 200_000:
                self._columns[word] = found
        return found

    def words(self, text: str) -> list[str]:
        return self._preprocess(text).split()


def _blocks(model: Any) -> list[_Block]:
    cache = _cache(model)
    if "blocks" not in cache:
        cache["blocks"] = [_Block(v) for _name, v in
                           (model.features.transformer_list if model.features else [])]
    return cache["blocks"]


def _char_shares(block: _Block, text: str, contributions: np.ndarray) -> dict[str, float]:
    """Each word's share of the character n-grams' part of the score: an n-gram's part is
    shared equally among its occurrences in the text's words."""
    counts = Counter(block.words(text))
    if not counts:
        return {}
    words = list(counts)
    columns = [block.columns(word) for word in words]
    multiplicity = np.fromiter((counts[word] for word in words), dtype=np.int64,
                               count=len(words))
    owner = np.repeat(np.arange(len(words)), [len(c) for c in columns])
    flat = np.concatenate(columns)
    occurrences = np.bincount(flat, weights=multiplicity[owner], minlength=block.width)
    each = contributions[flat] / np.maximum(occurrences[flat], 1)
    per_word = np.bincount(owner, weights=each, minlength=len(words)) * multiplicity
    shares: dict[str, float] = defaultdict(float)
    for word, share in zip(words, per_word.tolist(), strict=True):
        keys = _WORD.findall(word) or [word]
        for key in keys:
            shares[_key(key) or key] += share / len(keys)
    return shares


def _tfidf_shares(model: Any, text: str, row: Any, weights: np.ndarray
                  ) -> tuple[dict[str, float], int]:
    shares: dict[str, float] = defaultdict(float)
    indices, values = np.asarray(row.indices), np.asarray(row.data)
    offset = 0
    for block in _blocks(model):
        inside = (indices >= offset) & (indices < offset + block.width)
        columns = indices[inside] - offset
        parts = values[inside] * weights[indices[inside]]
        if block.is_chars:
            contributions = np.zeros(block.width)
            contributions[columns] = parts
            for word, share in _char_shares(block, text, contributions).items():
                shares[word] += share
        else:
            for column, share in zip(columns.tolist(), parts.tolist(), strict=True):
                shares[block.terms[column]] += share
        offset += block.width
    return shares, offset


def _embedding_shares(text: str, weights: np.ndarray) -> dict[str, float]:
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    starts = [start for start, _end, _word in words]
    shares: dict[str, float] = defaultdict(float)
    for (start, end), share in token_shares(text, weights):
        # The word the token starts in, or the next one if it starts in a space before it.
        index = bisect_right(starts, start) - 1
        if index < 0 or words[index][1] <= start:
            index += 1
        if index < len(words) and words[index][0] < end:
            shares[_key(words[index][2])] += share
    return shares


def _surface(text: str, key: str) -> str | None:
    """The phrase as the text writes it (first occurrence), or None if it is not there."""
    words = key.split()
    if not words:
        return None
    pattern = r"\b" + r"\W+".join(re.escape(w) for w in words) + r"\b"
    found = re.search(pattern, text, re.IGNORECASE)
    return found.group(0) if found else None


def explain(model: Any, text: str, row: Any, category: str, top: int = TOP) -> list[Phrase]:
    """The `top` phrases of `text` that raised `category`'s score most; `row` is the text's
    row of the model's matrix (`model.matrix([text])`)."""
    weights = class_weights(model, category)
    shares, offset = (_tfidf_shares(model, text, row, weights) if model.features is not None
                      else ({}, 0))
    if uses_embeddings(model.representation):
        for key, share in _embedding_shares(
                text, weights[offset:offset + EMBEDDING_DIM]).items():
            shares[key] = shares.get(key, 0.0) + share
    chosen: list[Phrase] = []
    covered: set[str] = set()
    for key, share in sorted(shares.items(), key=lambda kv: -kv[1]):
        if share <= 0 or len(chosen) >= top:
            break
        words = set(key.split())
        if words <= covered:
            continue
        surface = _surface(text, key)
        if surface is None:
            continue
        covered |= words
        chosen.append(Phrase(surface, share))
    return chosen
