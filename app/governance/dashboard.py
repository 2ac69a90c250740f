"""Everything the dashboard shows for one scope, with its charts and the tables its downloads carry."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.governance import action_measures, measures
from app.governance.charts import Chart
from app.governance.cohorts import MILESTONES, Scope
from app.models import Category, Context

THEMES_CHARTED = 12


@dataclass
class Figures:
    scope: Scope
    on: date
    volumes: dict
    volumes_by_bucket: list
    decisions: dict
    timeliness: dict
    dwell: list
    people: dict
    agencies: list
    themes: dict
    dissemination: dict
    actions: dict
    previous: dict  # headline figures of the period before

    # ---- headlines ---------------------------------------------------------------------------------------
    @property
    def overdue_now(self) -> measures.Figure:
        total = sum(f.value for k, f in self.actions["totals"].items() if k.startswith("overdue:"))
        return measures.Figure(total, {"measure": "actions", "column": "overdue"})

    def median_figure(self, key: str) -> measures.Figure:
        whole = self.timeliness[key]["spreads"][-1]
        return measures.Figure(whole.median, whole.drill)

    # ---- charts --------------------------------------------------------------------------------------------
    def chart_volumes(self) -> Chart:
        data = [(c.label, [self.volumes["table"][c.value][x.value].value for x in Context]) for c in Category]
        return Chart("volumes", "Debriefs referred, by category and context", "debriefs",
                     [x.label for x in Context], data)

    def chart_timeliness(self, key: str) -> Chart:
        t = self.timeliness[key]
        data = [(s.label, [s.median, s.p90]) for s in t["spreads"]]
        return Chart(f"timeliness-{key}", f"{t['label']}: median and 90th percentile", "days",
                     ["Median", "90th percentile"], data, target=t["target"], target_label="target", decimals=1)

    def chart_dwell(self) -> Chart:
        data = [(r["stage"].label, [r["median"], r["p90"]]) for r in self.dwell]
        return Chart("dwell", "Time in each stage: median and 90th percentile", "days",
                     ["Median", "90th percentile"], data, decimals=1)

    def chart_agencies(self) -> Chart:
        data = [(r["agency"], [r["missed_opportunity"].value, r["good_practice"].value]) for r in self.agencies]
        return Chart("agencies", "Missed opportunities and good practice, by agency", "chronology entries",
                     ["Missed opportunities", "Good practice"], data)

    def chart_themes(self) -> Chart:
        rows = [r for r in self.themes["rows"] if r["count"].value][:THEMES_CHARTED]
        return Chart("themes", "Themes of the learning recorded", "learning points", ["Learning points"],
                     [(r["theme"], [r["count"].value]) for r in rows])

    def chart_actions(self) -> Chart:
        data = [(label, [self.actions["totals"][key].value]) for key, label in action_measures.COLUMNS]
        return Chart("actions", "Actions by status", "actions", ["Actions"], data)

    def charts(self) -> list[Chart]:
        return [self.chart_volumes(), *(self.chart_timeliness(k) for k in MILESTONES), self.chart_dwell(),
                self.chart_agencies(), self.chart_themes(), self.chart_actions()]


def compute(scope: Scope, settings: dict, on: date) -> Figures:
    before = Scope(scope.period.previous(), scope.category, scope.context)
    previous = {"referred": measures.volumes(before)["total"].value,
                "timeliness": {k: v["spreads"][-1] for k, v in
                               measures.timeliness(before, settings, trend=False,
                                                   only=("meeting",)).items()}}
    return Figures(scope=scope, on=on, volumes=measures.volumes(scope),
                   volumes_by_bucket=measures.volumes_by_bucket(scope), decisions=measures.decisions(scope),
                   timeliness=measures.timeliness(scope, settings), dwell=measures.dwell(scope),
                   people=measures.partners_and_police(scope), agencies=measures.flags_by_agency(scope),
                   themes=measures.themes(scope), dissemination=measures.dissemination(scope),
                   actions=action_measures.by_owner_and_department(scope, on), previous=previous)


# ---- the tables behind each download ----------------------------------------------------------------------

def _pct(figure) -> str:
    return "" if figure.percent is None else f"{figure.percent:.1f}"


def _num(v) -> str:
    return "" if v is None else (f"{v:.1f}" if isinstance(v, float) else str(v))


def _volumes(f: Figures):
    rows = [[c.label, x.label, f.volumes["table"][c.value][x.value].value] for c in Category for x in Context]
    rows += [["Decision: " + k, "", v.value] for k, v in f.decisions.items()]
    rows += [[f"{c.label}, {r['label']}", x.label, r["cells"][(c.value, x.value)].value]
             for r in f.volumes_by_bucket for c in Category for x in Context]
    return ["Category", "Context", "Debriefs referred"], rows


def _timeliness(f: Figures):
    rows = []
    for key, t in f.timeliness.items():
        for s in t["spreads"]:
            rows.append([t["label"], s.label, s.n, _num(s.median), _num(s.p90), t["target"], s.within.value,
                         _pct(s.within)])
    return ["Measure", "Period", "Debriefs", "Median days", "90th percentile days", "Target days",
            "Within target", "% within target"], rows


def _dwell(f: Figures):
    return (["Stage", "Debriefs that left it", "Median days", "90th percentile days", "In it now"],
            [[r["stage"].label, r["n"], _num(r["median"]), _num(r["p90"]), r["now"]] for r in f.dwell])


def _people(f: Figures):
    p = f.people
    return (["Measure", "Debriefs", "Of", "%"],
            [["A partner attended the debrief meeting", p["partner"].value, p["partner"].of, _pct(p["partner"])],
             ["Police contact before the incident", p["police"].value, p["police"].of, _pct(p["police"])],
             ["Dissemination recorded for the issued document", f.dissemination["done"].value,
              f.dissemination["done"].of, _pct(f.dissemination["done"])],
             ["Quick-time learning overdue now (not shared by its deadline)",
              f.dissemination["quick_overdue"].value, "", ""],
             ["Repeat learning (learning points)", f.themes["repeat"].value, f.themes["repeat"].of,
              _pct(f.themes["repeat"])],
             ["Repeat learning tied to the exact earlier learning", f.themes["repeat_linked"].value,
              f.themes["repeat"].of, _pct(measures.Figure(f.themes["repeat_linked"].value, None, f.themes["repeat"].of))]])


def _agencies(f: Figures):
    return (["Agency", "Missed opportunities", "Good practice"],
            [[r["agency"], r["missed_opportunity"].value, r["good_practice"].value] for r in f.agencies])


def _themes(f: Figures):
    return (["Theme", "Learning points in the period", *f.themes["months"]],
            [[r["theme"], r["count"].value, *r["trend"]] for r in f.themes["rows"]])


def _actions(f: Figures):
    header = ["Owner or department", "Name", *[label for _, label in action_measures.COLUMNS]]
    rows = [["Owner", r["label"], *[r["cells"][k].value for k, _ in action_measures.COLUMNS]]
            for r in f.actions["owners"]]
    rows += [["Department", r["label"], *[r["cells"][k].value for k, _ in action_measures.COLUMNS]]
             for r in f.actions["departments"]]
    return header, rows


TABLES = {"volumes": _volumes, "timeliness": _timeliness, "dwell": _dwell, "people": _people,
          "agencies": _agencies, "themes": _themes, "actions": _actions}
