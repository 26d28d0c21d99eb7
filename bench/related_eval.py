"""Precision and recall of the same-matter proposal on the labelled pairs in
data/pairs/related-pairs.jsonl (targets: precision 0.95, recall 0.85); lists each wrong pair.

    .venv/bin/python -m bench.related_eval [--pairs PATH] [--json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from workflow.related_eval import evaluate_pairs

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=REPO / "data" / "pairs" /
                        "related-pairs.jsonl")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures = evaluate_pairs(args.pairs)
    if args.json:
        print(json.dumps(figures))
        return
    print(f"{figures['pairs']} pairs: precision {figures['precision']:.3f}, recall "
          f"{figures['recall']:.3f} (TP {figures['true_positive']}, FP "
          f"{figures['false_positive']}, FN {figures['false_negative']})")
    for wrong in figures["wrong"]:
        print(f"  {wrong['id']} {wrong['kind']}: same matter {wrong['same_matter']}, "
              f"proposed {wrong['proposed']} (score {wrong['score']})")


if __name__ == "__main__":
    main()
