"""The year's report as one PNG a manager can file: residents' items by month (automatic mail
apart), CH01 and CH02 by stage, under a title naming the landlord, the year and the homes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workflow.reporting import plain_label


def chart_series(figures: dict[str, Any]) -> dict[str, Any]:
    """What the chart draws, in plain words: the months begun so far, one series per
    category of residents' items, automatic mail apart, and CH01/CH02 per stage."""
    months = [row["month"] for row in figures["volumes_by_month"]]
    categories = sorted(figures["volumes_by_category"])
    homes = figures["homes"]
    stages = [row for row in figures["stages"] if row["stage"] in (1, 2)]
    return {
        "title": figures["title"],
        "months": months,
        "series": {plain_label(c): [row.get(c, 0) for row in figures["volumes_by_month"]]
                   for c in categories},
        "automatic": [row["count"] for row in figures["automatic_by_month"]],
        "ch01_label": ("CH01: complaints per 1,000 homes" if homes
                       else "Complaints received (give --homes for CH01 per 1,000 homes)"),
        "ch01": {f"Stage {row['stage']}": (row["per_1000_homes"] if homes else row["received"])
                 for row in stages},
        "ch02": {f"Stage {row['stage']}": (row["on_time_percent"], row["responses"])
                 for row in stages},
    }


def draw_chart(figures: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display: the chart is a file
    import matplotlib.pyplot as plt

    data = chart_series(figures)
    fig, (volumes, ch01, ch02) = plt.subplots(1, 3, figsize=(15, 5),
                                              gridspec_kw={"width_ratios": [3, 1, 1]})
    fig.suptitle(data["title"], fontsize="large")
    _draw_volumes(volumes, data)
    _draw_ch01(ch01, data)
    _draw_ch02(ch02, data)
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=100)
    plt.close(fig)


def _draw_volumes(axes, data: dict[str, Any]) -> None:
    months = data["months"]
    bottom = [0] * len(months)
    for label, counts in data["series"].items():
        axes.bar(months, counts, bottom=bottom, label=label)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    if months:
        axes.plot(months, data["automatic"], color="grey", marker="x", linestyle="--",
                  label="Automatic mail (not residents'; not in the bars)")
    else:
        axes.text(0.5, 0.5, "no month of this year has begun", ha="center",
                  transform=axes.transAxes)
    axes.set_title("Residents' correspondence by month")
    axes.set_ylabel("items")
    axes.tick_params(axis="x", labelrotation=45)
    if months:
        axes.legend(fontsize="small")


def _draw_ch01(axes, data: dict[str, Any]) -> None:
    labels = list(data["ch01"])
    values = [value or 0 for value in data["ch01"].values()]
    bars = axes.bar(labels, values, color="tab:blue", edgecolor="black")
    for bar, value in zip(bars, data["ch01"].values(), strict=True):
        axes.annotate("—" if value is None else f"{value}",
                      (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                      ha="center", va="bottom", fontsize="small")
    axes.set_ylim(0, max([*values, 1]) * 1.25)
    axes.set_title(data["ch01_label"], fontsize="medium", wrap=True)


def _draw_ch02(axes, data: dict[str, Any]) -> None:
    labels = list(data["ch02"])
    percents = [percent or 0 for percent, _ in data["ch02"].values()]
    # An outline and a label for every stage, so 0% and "no responses" are seen, not blank.
    bars = axes.bar(labels, percents, color="tab:green", edgecolor="black")
    for bar, (percent, responses) in zip(bars, data["ch02"].values(), strict=True):
        text = "no responses yet" if percent is None else f"{percent}% of {responses}"
        axes.annotate(text, (bar.get_x() + bar.get_width() / 2, max(bar.get_height(), 1)),
                      ha="center", va="bottom", fontsize="small")
    axes.axhline(0, color="black", linewidth=1)
    axes.set_ylim(0, 110)
    axes.set_title("CH02: responses within the policy's timescales", fontsize="medium",
                   wrap=True)
    axes.set_ylabel("% on time")
