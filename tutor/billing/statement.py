"""A remittance as the statement a biller reads (rich markup), for the tutor and ``medcode preview``."""

from __future__ import annotations

from rich.markup import escape

from tutor.billing.scrubber import reason_codes
from tutor.content.billing import RemittanceExercise
from tutor.practice.presentation import neutral_label


def statement_text(exercise: RemittanceExercise) -> str:
    carc, rarc = reason_codes()
    r = exercise.remittance
    # The trainee's view: the neutral label, never the title (issue 12 item 1); preview prints the title apart.
    lines = [f"[b]{escape(neutral_label(exercise))}[/b]", f"Payer: {escape(r.payer)} · status: {r.claim_status.replace('_', ' ')}"
             f" · date of service {exercise.date_of_service.isoformat()}", "",
             f"{'code':<8}{'billed':>10}{'allowed':>10}{'paid':>10}", "    adjustments (group-reason, amount)"]
    for line in r.lines:
        code = line.code + ("-" + "-".join(line.modifiers) if line.modifiers else "")
        # Codes come from the content file: padded first, then escaped, so the columns stay aligned.
        lines.append(f"{escape(f'{code:<8}')}{line.billed:>10.2f}{line.allowed:>10.2f}{line.paid:>10.2f}")
        for a in line.adjustments:
            remark = escape(f" [{', '.join(a.rarc)}]") if a.rarc else ""
            lines.append(f"    {a.group}-{escape(f'{a.carc:<4}')} {a.amount:>9.2f}{remark}")
    used = sorted({a.carc for line in r.lines for a in line.adjustments})
    remarks = sorted({m for line in r.lines for a in line.adjustments for m in a.rarc} | set(r.remarks))
    lines += ["", "[b]Reason codes[/b]"] + [escape(f"CARC {c}: {carc.get(c, '?')}") for c in used]
    lines += [escape(f"RARC {m}: {rarc.get(m, '?')}") for m in remarks]
    lines += ["", "[b]What you know[/b]", escape(exercise.situation)]
    return "\n".join(lines)
