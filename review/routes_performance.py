"""The performance page (/performance): a reporting year's figures and charts, the same
numbers as `triage report`."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from review.charts import bar_chart, stacked_bars
from review.web import Web


def register_performance(app: FastAPI, web: Web) -> None:
    """The performance page, for the chosen year or else the current one."""

    @app.get("/performance", response_class=HTMLResponse)
    def performance(request: Request, year: int | None = None) -> Response:
        from review.performance import performance_figures, reporting_years

        years = reporting_years()
        chosen = year if year in years else years[0]
        figures = performance_figures(web.settings, chosen, web.policy.id)
        ch02 = {f"stage {row['stage']}": row["on_time_percent"] for row in figures["stages"]
                if row["on_time_percent"] is not None}
        return web.render(request, "performance.html", figures=figures, year=chosen,
                          years=years,
                          ch02_chart=bar_chart(ch02, "CH02: responses on time, per cent"),
                          category_chart=bar_chart(figures["volumes_by_category"],
                                                   "Items received by category"),
                          month_chart=stacked_bars(figures["volumes_by_month"],
                                                   "Items received by month and category"),
                          refusal_chart=bar_chart(figures["refused_by_reason"],
                                                  "Complaints refused by reason"),
                          **hazard_performance(web, chosen))


def hazard_performance(web: Web, year: int) -> dict:
    """The hazard section's figures and charts (`triage report`'s hazard figures)."""
    from pipeline.hazard_figures import hazards_for_year

    hazards = hazards_for_year(web.settings, year)
    on_time = {f"{row['severity']} {row['step'].replace('_', ' ')}": row["on_time_percent"]
               for row in hazards["timeliness"] if row["on_time_percent"] is not None}
    return {"hazards": hazards,
            "hazard_chart": stacked_bars(hazards["by_type_and_severity"],
                                         "Hazards received by type and severity", key="type"),
            "hazard_clock_chart": bar_chart(on_time, "Hazard clocks met on time, per cent")}
