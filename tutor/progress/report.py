"""A trainee's progress report (``medcode report``): the figures as data, then as CSV or HTML.

The HTML report is one self-contained file: inline CSS and an inline SVG chart of
accuracy over time against the 95% target, nothing fetched from anywhere.
"""

from __future__ import annotations

import html
import io
from collections.abc import Mapping, Sequence
from typing import Any

from tutor.progress.attempt import Attempt
from tutor.progress.stats import (
    by_code_set, by_topic, code_accuracy, outcome_counts, readiness, record_accuracy, trend,
)
from tutor.textsafe import SafeCsvWriter, printable

TARGET = 0.95


def _tally(t) -> dict[str, Any]:
    low, high = t.interval
    return {"graded": t.graded, "correct": t.correct,
            "accuracy": None if t.accuracy is None else round(t.accuracy, 4),
            "interval": [round(low, 4), round(high, 4)]}


def trainee_report(name: str, attempts: Sequence[Attempt], exam_estimates: Mapping[str, Any] | None = None,
                   window: int = 100) -> dict[str, Any]:
    accuracy = code_accuracy(attempts, window)
    ready = readiness(attempts, TARGET, window)
    return {
        "trainee": name,
        "attempts": len(attempts),
        "target": TARGET,
        "code_accuracy": {"window": window, "rolling": _tally(accuracy.rolling), "all_time": _tally(accuracy.all_time)},
        "record_accuracy": _tally(record_accuracy(attempts)),
        "readiness": {"at_target": ready.at_target, "confident": ready.confident,
                      "codes_needed": ready.codes_needed, "lower_bound": round(ready.lower_bound, 4)},
        "by_code_set": {k: _tally(v) for k, v in sorted(by_code_set(attempts).items())},
        "by_topic": {k: _tally(v) for k, v in sorted(by_topic(attempts).items())},
        "by_outcome": dict(outcome_counts(attempts).most_common()),
        "trend": [round(v, 4) for v in trend(attempts)],
        "timeline": [{"submitted_at": a.submitted_at.isoformat(), "exercise": a.exercise_id, "mode": a.mode,
                      "code_accuracy": a.code_accuracy, "record_correct": a.record_correct}
                     for a in sorted(attempts, key=lambda a: (a.submitted_at, a.id))],
        "exams": dict(exam_estimates or {}),
    }


def _pct(value: float | None) -> str:
    return "--" if value is None else f"{value:.1%}"


def as_table(report: dict[str, Any]) -> str:
    """The report for a terminal: names, topics and ids (from users and content files) shown, never obeyed."""
    ca = report["code_accuracy"]
    lines = [
        f"{_shown(report['trainee'])}: {report['attempts']} attempts",
        f"  code accuracy, last {ca['window']} codes: {_pct(ca['rolling']['accuracy'])} "
        f"(95% interval {_pct(ca['rolling']['interval'][0])}-{_pct(ca['rolling']['interval'][1])}); "
        f"all time {_pct(ca['all_time']['accuracy'])} over {ca['all_time']['graded']:.0f} codes; target 95%",
        f"  record accuracy {_pct(report['record_accuracy']['accuracy'])}",
    ]
    ready = report["readiness"]
    if ready["confident"]:
        lines.append("  readiness: at 95% with confidence")
    elif ready["codes_needed"] is not None:
        lines.append(f"  readiness: {ready['codes_needed']} more correct codes would show 95% with confidence")
    for title, table in (("by code set", report["by_code_set"]), ("by topic", report["by_topic"])):
        if table:
            lines.append(f"  {title}:")
            lines += [f"    {_shown(k):<28} {_pct(v['accuracy'])} of {v['graded']:.0f}" for k, v in table.items()]
    if report["by_outcome"]:
        lines.append("  errors: " + ", ".join(f"{_shown(k)} {v}" for k, v in report["by_outcome"].items()))
    for profile, exam in report["exams"].items():
        if exam.get("estimate") is not None:
            lines.append(f"  {_shown(profile)}: estimated {_pct(exam['estimate'])} "
                         f"({_pct(exam['low'])}-{_pct(exam['high'])}), pass line {_pct(exam['pass_line'])}")
    return "\n".join(lines)


def _shown(text: str) -> str:
    return printable(text, one_line=True)


def as_csv(reports: Sequence[dict[str, Any]]) -> str:
    """One row per trainee and breakdown key: (trainee, group, key, graded, correct, accuracy)."""
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(["trainee", "group", "key", "graded", "correct", "accuracy"])
    for report in reports:
        ca = report["code_accuracy"]
        for key in ("rolling", "all_time"):
            t = ca[key]
            writer.writerow([report["trainee"], "code_accuracy", key, t["graded"], t["correct"], t["accuracy"]])
        t = report["record_accuracy"]
        writer.writerow([report["trainee"], "record_accuracy", "all_time", t["graded"], t["correct"], t["accuracy"]])
        for group in ("by_code_set", "by_topic"):
            for key, t in report[group].items():
                writer.writerow([report["trainee"], group, key, t["graded"], t["correct"], t["accuracy"]])
        for outcome, count in report["by_outcome"].items():
            writer.writerow([report["trainee"], "by_outcome", outcome, count, "", ""])
    return out.getvalue()


def trend_svg(values: Sequence[float], width: int = 640, height: int = 220, target: float = TARGET) -> str:
    """Accuracy per attempt as a line, with the target as a dashed line; plain SVG."""
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
        parts.append(f'<polyline fill="none" stroke="#2c7be5" stroke-width="2" points="{points}"/>')
        parts += [f'<circle cx="{pad + i * step:.1f}" cy="{y(v):.1f}" r="2.5" fill="#2c7be5"/>'
                  for i, v in enumerate(values)]
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
        rows = "".join(
            f"<tr><td>{e(group)}</td><td>{e(k)}</td><td>{_pct(v['accuracy'])}</td><td>{v['graded']:.0f}</td></tr>"
            for group in ("by_code_set", "by_topic") for k, v in report[group].items())
        errors = "".join(f"<li>{e(k)}: {v}</li>" for k, v in report["by_outcome"].items()) or "<li>none</li>"
        sections.append(f"""
<section>
<h2>{e(report['trainee'])}</h2>
<pre>{e(as_table(report))}</pre>
{trend_svg(report['trend'])}
<h3>Breakdown</h3>
<table><tr><th>group</th><th>key</th><th>accuracy</th><th>codes</th></tr>{rows}</table>
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
{''.join(sections) or '<p>No trainees yet.</p>'}
</body></html>
"""
