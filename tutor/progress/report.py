"""A trainee's progress report (``medcode report``): the figures as data, then as CSV or HTML.

The figures are the recency-weighted estimates of ``tutor.progress.estimate`` (docs/progress.md), the
same the dashboard shows, with the plain last-100 and all-time shares beside them. The HTML report
is one self-contained file: inline CSS and an inline SVG chart of accuracy over time against the
95% target, nothing fetched from anywhere.
"""

from __future__ import annotations

import html
import io
from collections.abc import Mapping, Sequence
from typing import Any

from tutor.progress.attempt import Attempt
from tutor.progress.estimate import (
    Estimate, Policy, code_estimate, describe, estimate_series, estimates_by_code_set, estimates_by_topic, outlook,
    record_estimate, weak_topics,
)
from tutor.progress.stats import by_code_set, by_topic, code_accuracy, outcome_counts, record_accuracy, trend
from tutor.textsafe import SafeCsvWriter, printable

TARGET = 0.95
CODE_SET_NAMES = {"icd10cm": "ICD-10-CM", "icd10pcs": "ICD-10-PCS", "cpt": "CPT", "hcpcs": "HCPCS",
                  "mcq": "questions", "billing": "billing"}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _tally(t) -> dict[str, Any]:
    return {"graded": t.graded, "correct": t.correct, "accuracy": _round(t.accuracy)}


def _estimate(e: Estimate) -> dict[str, Any]:
    """The recency-weighted figures of one series (docs/progress.md)."""
    low, high = e.interval
    return {"estimate": _round(e.value), "interval": [_round(low), _round(high)] if e.seen else [None, None],
            "p_at_target": _round(e.p_target) if e.seen else None, "at_target": e.at_target,
            "seen": int(e.seen), "effective": round(e.evidence.effective, 1)}


def _group(tally, e: Estimate, **extra: Any) -> dict[str, Any]:
    return {**_tally(tally), **_estimate(e), **extra}


def trainee_report(name: str, attempts: Sequence[Attempt], exam_estimates: Mapping[str, Any] | None = None,
                   window: int = 100, policy: Policy = Policy()) -> dict[str, Any]:
    accuracy = code_accuracy(attempts, window)
    now = code_estimate(attempts, policy)
    ahead = outlook(now)
    weak = {topic for topic, _ in weak_topics(attempts, policy, n=10_000)}
    sets, set_tallies = estimates_by_code_set(attempts, policy), by_code_set(attempts)
    topics, topic_tallies = estimates_by_topic(attempts, policy), by_topic(attempts)
    return {
        "trainee": name,
        "attempts": len(attempts),
        "target": policy.target,
        "policy": {"half_life": policy.half_life, "target_probability": policy.sure, "level": policy.level,
                   "min_codes": policy.min_codes, "weak_min_codes": policy.weak_min_codes,
                   "area_min_items": policy.area_min_items},
        "estimate": {**_estimate(now), "current_rate": _round(ahead.rate), "codes_more": ahead.codes_more,
                     "rate_needed": _round(ahead.rate_needed), "message": describe(now, ahead)},
        "code_accuracy": {"window": window, "rolling": _tally(accuracy.rolling), "all_time": _tally(accuracy.all_time)},
        "record_accuracy": _group(record_accuracy(attempts), record_estimate(attempts, policy)),
        "by_code_set": {k: _group(set_tallies[k], sets[k]) for k in sorted(sets)},
        "by_topic": {k: _group(topic_tallies[k], topics[k], weak=k in weak) for k in sorted(topics)},
        "by_outcome": dict(outcome_counts(attempts).most_common()),
        "trend": [round(v, 4) for v in trend(attempts)],
        "estimate_trend": [round(v, 4) for v in estimate_series(attempts, policy)],
        "timeline": [{"submitted_at": a.submitted_at.isoformat(), "exercise": a.exercise_id, "mode": a.mode,
                      "code_accuracy": a.code_accuracy, "record_correct": a.record_correct}
                     for a in sorted(attempts, key=lambda a: (a.submitted_at, a.id))],
        "exams": dict(exam_estimates or {}),
    }


def exam_entry(ready) -> dict[str, Any]:
    """An ``ExamReadiness`` for the report: the forecast, or the areas still short of evidence."""
    return {"estimate": _round(ready.estimate), "low": _round(ready.low), "high": _round(ready.high),
            "p_pass": _round(ready.p_pass), "likely_pass": ready.likely_pass, "pass_line": ready.pass_line,
            "items_seen": ready.items_seen, "short": [{"area": area, "items": items} for area, items in ready.short]}


def _pct(value: float | None, digits: int = 1) -> str:
    return "--" if value is None else f"{value:.{digits}%}"


def _figure(entry: dict[str, Any]) -> str:
    """``96.3% (90% interval 95.1%-97.4%), P(>=95%) 91%`` for an entry with the estimate's fields."""
    if entry["estimate"] is None:
        return "--"
    low, high = entry["interval"]
    return (f"{_pct(entry['estimate'])} (90% interval {_pct(low)}-{_pct(high)}), "
            f"P(>=95%) {_pct(entry['p_at_target'], 0)}")


def as_table(report: dict[str, Any]) -> str:
    """The report for a terminal: names, topics and ids (from users and content files) shown, never obeyed."""
    ca, now, records = report["code_accuracy"], report["estimate"], report["record_accuracy"]
    lines = [
        f"{_shown(report['trainee'])}: {report['attempts']} attempts",
        f"  code accuracy now: {_figure(now)} from {now['seen']:.0f} codes "
        f"(recent work counts more; half-life {report['policy']['half_life']:g} codes)",
        f"  {now['message']}",
        f"  code accuracy, last {ca['window']} codes: {_pct(ca['rolling']['accuracy'])}; "
        f"all time {_pct(ca['all_time']['accuracy'])} over {ca['all_time']['graded']:.0f} codes; target 95%",
        f"  record accuracy now: {_figure(records)} from {records['seen']:.0f} records",
    ]
    weak = [(k, v) for k, v in report["by_topic"].items() if v.get("weak")]
    if weak:
        weak.sort(key=lambda item: (item[1]["estimate"], item[0]))
        lines.append("  weak topics: " + ", ".join(f"{_shown(k)} {_pct(v['estimate'], 0)}" for k, v in weak))
    for title, table in (("by code set", report["by_code_set"]), ("by topic", report["by_topic"])):
        if table:
            lines.append(f"  {title} (now, 90% interval, P(>=95%), codes):")
            for key, v in table.items():
                mark = "  at 95%" if v["at_target"] else ("  weak" if v.get("weak") else "")
                label = CODE_SET_NAMES.get(key, key) if title == "by code set" else key
                lines.append(f"    {_shown(label):<28} {_figure(v)} of {v['graded']:.0f}{mark}")
    if report["by_outcome"]:
        lines.append("  errors: " + ", ".join(f"{_shown(k)} {v}" for k, v in report["by_outcome"].items()))
    for profile, exam in report["exams"].items():
        if exam.get("estimate") is not None:
            lines.append(f"  {_shown(profile)}: estimated {_pct(exam['estimate'], 0)} "
                         f"(90% of forms {_pct(exam['low'], 0)}-{_pct(exam['high'], 0)}), "
                         f"P(pass) {_pct(exam['p_pass'], 0)}, pass line {_pct(exam['pass_line'], 0)}")
        elif exam.get("short"):
            needs = ", ".join(f"{_shown(s['area'])} ({s['items']})" for s in exam["short"][:6])
            more = f" and {len(exam['short']) - 6} more" if len(exam["short"]) > 6 else ""
            lines.append(f"  {_shown(profile)}: -- (needs {report['policy']['area_min_items']} items "
                         f"in each area; short: {needs}{more})")
    return "\n".join(lines)


def _shown(text: str) -> str:
    return printable(text, one_line=True)


CSV_HEADER = ["trainee", "group", "key", "graded", "correct", "accuracy", "estimate", "low", "high", "probability",
              "verdict"]
"""``probability``: P(accuracy >= 95%) for accuracy rows, P(pass) for exam rows; ``verdict``: at 95% / likely pass."""


def as_csv(reports: Sequence[dict[str, Any]]) -> str:
    """One row per trainee and figure: the counts, the all-time share and the recency-weighted estimate."""
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(CSV_HEADER)

    def row(trainee: str, group: str, key: str, t: dict[str, Any]) -> list[object]:
        low, high = t.get("interval", [None, None])
        return [trainee, group, key, t.get("graded", t.get("seen")), t.get("correct"), t.get("accuracy"),
                t.get("estimate"), low, high, t.get("p_at_target"), t.get("at_target")]

    for report in reports:
        name, ca = report["trainee"], report["code_accuracy"]
        writer.writerow(row(name, "code_accuracy", "now", report["estimate"]))
        for key in ("rolling", "all_time"):
            writer.writerow(row(name, "code_accuracy", key, ca[key]))
        writer.writerow(row(name, "record_accuracy", "now", report["record_accuracy"]))
        for group in ("by_code_set", "by_topic"):
            for key, t in report[group].items():
                writer.writerow(row(name, group, key, t))
        for outcome, count in report["by_outcome"].items():
            writer.writerow([name, "by_outcome", outcome, count, "", "", "", "", "", "", ""])
        for profile, exam in report["exams"].items():
            writer.writerow([name, "exam", profile, exam.get("items_seen"), "", "", exam.get("estimate"),
                             exam.get("low"), exam.get("high"), exam.get("p_pass"), exam.get("likely_pass")])
    return out.getvalue()


def trend_svg(values: Sequence[float], width: int = 640, height: int = 220, target: float = TARGET,
              estimates: Sequence[float] = ()) -> str:
    """Accuracy per attempt as a line with dots, the estimate after each attempt (if given) as a
    second line, and the target as a dashed line; plain SVG."""
    pad = 30
    inner_w, inner_h = width - 2 * pad, height - 2 * pad

    def y(v: float) -> float:
        return pad + inner_h * (1 - v)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="Code accuracy per attempt">',
             f'<rect x="{pad}" y="{pad}" width="{inner_w}" height="{inner_h}" fill="#f7f7f9" stroke="#ccc"/>']
    for tick in (0.0, 0.5, 1.0):
        parts.append(f'<text x="{pad - 4}" y="{y(tick) + 4:.1f}" font-size="10" text-anchor="end">{tick:.0%}</text>')
    parts.append(f'<line x1="{pad}" x2="{pad + inner_w}" y1="{y(target):.1f}" y2="{y(target):.1f}" '
                 f'stroke="#c0392b" stroke-dasharray="5,4"/><text x="{pad + inner_w}" y="{y(target) - 4:.1f}" '
                 f'font-size="10" text-anchor="end" fill="#c0392b">target {target:.0%}</text>')
    if values:
        step = inner_w / max(len(values) - 1, 1)
        points = " ".join(f"{pad + i * step:.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="#9db8e0" stroke-width="1" points="{points}"/>')
        parts += [f'<circle cx="{pad + i * step:.1f}" cy="{y(v):.1f}" r="2" fill="#9db8e0"/>'
                  for i, v in enumerate(values)]
        if len(estimates) == len(values):
            points = " ".join(f"{pad + i * step:.1f},{y(v):.1f}" for i, v in enumerate(estimates))
            parts.append(f'<polyline fill="none" stroke="#1a5fb4" stroke-width="2.5" points="{points}"/>')
            parts.append(f'<text x="{pad + 4}" y="{height - 8}" font-size="10" fill="#1a5fb4">'
                         'dots: each attempt; line: the estimate after it</text>')
    else:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" font-size="12">no attempts yet</text>')
    parts.append("</svg>")
    return "".join(parts)


def _html_text(text: str) -> str:
    """Text for the HTML report: escaped, and control characters (which HTML does not allow and a
    terminal showing the file would obey) made visible."""
    return html.escape(printable(text))


def as_html(reports: Sequence[dict[str, Any]]) -> str:
    sections = []
    for report in reports:
        e = _html_text

        def cells(v: dict[str, Any]) -> str:
            low, high = v["interval"]
            verdict = "at 95%" if v["at_target"] else ("weak" if v.get("weak") else "")
            return (f"<td>{_pct(v['estimate'])}</td><td>{_pct(low)}-{_pct(high)}</td>"
                    f"<td>{_pct(v['p_at_target'], 0)}</td><td>{verdict}</td><td>{_pct(v['accuracy'])}</td>"
                    f"<td>{v['graded']:.0f}</td>")

        rows = "".join(f"<tr><td>{e(group)}</td><td>{e(k)}</td>{cells(v)}</tr>"
                       for group in ("by_code_set", "by_topic") for k, v in report[group].items())
        errors = "".join(f"<li>{e(k)}: {v}</li>" for k, v in report["by_outcome"].items()) or "<li>none</li>"
        sections.append(f"""
<section>
<h2>{e(report['trainee'])}</h2>
<pre>{e(as_table(report))}</pre>
{trend_svg(report['trend'], estimates=report['estimate_trend'])}
<h3>Breakdown</h3>
<table><tr><th>group</th><th>key</th><th>now</th><th>90% interval</th><th>P(&ge;95%)</th><th>verdict</th>
<th>all time</th><th>codes</th></tr>{rows}</table>
<h3>Errors by outcome</h3><ul>{errors}</ul>
</section>""")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>medcode-tutor progress report</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; color: #222; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ddd; padding: 0.2rem 0.6rem; text-align: left; }}
pre {{ background: #f7f7f9; padding: 0.8rem; white-space: pre-wrap; }}
</style></head><body>
<h1>Coding accuracy toward 95%</h1>
<p>How these figures are computed: docs/progress.md in medcode-tutor.</p>
{''.join(sections) or '<p>No trainees yet.</p>'}
</body></html>
"""
