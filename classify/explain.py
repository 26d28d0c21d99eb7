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
from collections import Counter, defaultdict
from dataclasses import dataclass
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


def _terms(model: Any) -> list[tuple[str, Any, list[str]]]:
    """Each TF-IDF block's name, vectoriser and terms in column order (cached)."""
    cache = _cache(model)
    if "terms" not in cache:
        blocks = []
        for name, vectorizer in (model.features.transformer_list if model.features else []):
            terms = [""] * len(vectorizer.vocabulary_)
            for term, column in vectorizer.vocabulary_.items():
                terms[column] = term
            blocks.append((name, vectorizer, terms))
        cache["terms"] = blocks
    return cache["terms"]


def _char_shares(vectorizer: Any, text: str, grams: dict[str, float]) -> dict[str, float]:
    """Each word's share of the character n-grams' part of the score."""
    analyse = vectorizer.build_analyzer()
    words = vectorizer.build_preprocessor()(text).split()
    per_word = {word: analyse(word) for word in set(words)}
    occurrences: Counter[str] = Counter()
    for word in words:
        occurrences.update(per_word[word])
    shares: dict[str, float] = defaultdict(float)
    for word in words:
        share = sum(grams.get(g, 0.0) / occurrences[g] for g in per_word[word])
        keys = _WORD.findall(word) or [word]
        for key in keys:
            shares[_key(key) or key] += share / len(keys)
    return shares


def _tfidf_shares(model: Any, text: str, row: Any, weights: np.ndarray
                  ) -> tuple[dict[str, float], int]:
    shares: dict[str, float] = defaultdict(float)
    offset = 0
    columns = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))
    for _name, vectorizer, terms in _terms(model):
        width = len(terms)
        block = {terms[c - offset]: value * float(weights[c]) for c, value in columns.items()
                 if offset <= c < offset + width}
        if vectorizer.analyzer == "char_wb":
            for word, share in _char_shares(vectorizer, text, block).items():
                shares[word] += share
        else:
            for term, share in block.items():
                shares[term] += share
        offset += width
    return shares, offset


def _embedding_shares(text: str, weights: np.ndarray) -> dict[str, float]:
    words = [(m.start(), m.end(), _key(m.group())) for m in _WORD.finditer(text)]
    shares: dict[str, float] = defaultdict(float)
    for (start, end), share in token_shares(text, weights):
        for word_start, word_end, key in words:
            if word_start < end and start < word_end:
                shares[key] += share
                break
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
