"""medcode-tutor benchmarks: every figure with a ratio against a baseline measured in the same run.

    python benchmarks/run.py            # all of them (a few minutes)
    python benchmarks/run.py lookup     # one section: lookup, startup, grading, validate, memory, submissions

Figures are wall-clock on this machine; compare ratios across machines, not absolute times.
"""

from __future__ import annotations

import json
import os
import pty
import random
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS: dict[str, dict] = {}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def report(section: str, **figures) -> None:
    RESULTS[section] = figures
    print(f"\n== {section}")
    for name, value in figures.items():
        print(f"  {name:<44} {value:.4g}" if isinstance(value, float) else f"  {name:<44} {value}")


# --- 1. code lookup per keystroke ---------------------------------------------------------


def bench_lookup() -> None:
    import simple_icd_10_cm as cm

    from tutor.codes import CodeSets, CodeSystem
    from datetime import date

    codes = CodeSets.open()
    when = date(2026, 5, 1)
    rng = random.Random(7)
    billable = [c for c in cm.get_all_codes(True) if cm.is_leaf(c)]
    sample = rng.sample(billable, 300)
    table = [(c, cm.get_description(c)) for c in cm.get_all_codes(True)]

    def scan_code(prefix: str) -> bool:  # baseline: a plain scan of the package's code list
        return any(code == prefix for code, _ in table)

    ours, base = [], []
    for code in sample:
        for end in range(1, len(code) + 1):
            typed = code[:end]
            codes._checks.clear(); codes.editor._validity.clear(); codes.index._cache.clear()  # noqa: SLF001
            t = time.perf_counter(); codes.check(typed, CodeSystem.ICD10CM, when); ours.append(time.perf_counter() - t)
            t = time.perf_counter(); scan_code(typed); base.append(time.perf_counter() - t)
    queries = ["diabetes kidney", "copd exacerbation", "femur fracture", "heart failure", "long term insulin",
               "urinary tract infection", "pneumonia", "hypertension chronic kidney", "osteoarthritis knee",
               "major depressive recurrent", "atrial fibrillation", "cellulitis leg", "sepsis", "obesity"]
    t_ours, t_base = [], []
    for query in queries:
        for end in range(2, len(query) + 1):
            typed = query[:end]
            t = time.perf_counter(); codes.search(typed, CodeSystem.ICD10CM, 20); t_ours.append(time.perf_counter() - t)
            words = typed.lower().split()
            t = time.perf_counter()
            [c for c, d in table if all(w in d.lower() for w in words)][:20]
            t_base.append(time.perf_counter() - t)
    report("lookup per keystroke (full ICD-10-CM, 300 codes typed character by character, cold caches)",
           code_p50_ms=percentile(ours, 50) * 1000, code_p95_ms=percentile(ours, 95) * 1000,
           code_scan_baseline_p95_ms=percentile(base, 95) * 1000,
           code_ratio_baseline_over_ours_p95=percentile(base, 95) / percentile(ours, 95),
           terms_p50_ms=percentile(t_ours, 50) * 1000, terms_p95_ms=percentile(t_ours, 95) * 1000,
           terms_scan_baseline_p95_ms=percentile(t_base, 95) * 1000,
           terms_ratio_baseline_over_ours_p95=percentile(t_base, 95) / percentile(t_ours, 95),
           target_p95_ms=5.0)
    codes.close()


# --- 2. cold start -------------------------------------------------------------------------


def _median_run(args: list[str], runs: int = 5, env: dict | None = None) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _tui_first_screen(env: dict) -> float:
    """Seconds from spawning ``medcode`` in a pseudo-terminal to the dashboard's text on screen."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the tutor, in a 100x30 terminal
        os.environ.update(env)
        os.environ["COLUMNS"], os.environ["LINES"] = "100", "30"
        os.execv(sys.executable, [sys.executable, "-m", "tutor", "--trainee", "bench"])
    start = time.perf_counter()
    seen = b""
    try:
        while time.perf_counter() - start < 30:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
                if b"accuracy toward" in seen:
                    return time.perf_counter() - start
        return float("nan")
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)


def bench_startup() -> None:
    env = dict(os.environ)
    data = tempfile.mkdtemp()
    env["MEDCODE_DATA_DIR"] = data
    medcode = [sys.executable, "-m", "tutor", "--version"]
    baseline = _median_run([sys.executable, "-c", "import textual"])
    version = _median_run(medcode, env=env)
    bare = _median_run([sys.executable, "-c", "pass"])
    tui = statistics.median(_tui_first_screen(env) for _ in range(5))
    shutil.rmtree(data, ignore_errors=True)
    report("cold start (median of 5; index already built)",
           python_bare_s=bare, import_textual_baseline_s=baseline, medcode_version_s=version,
           version_ratio_to_baseline=version / baseline, tui_first_screen_s=tui,
           tui_ratio_to_baseline=tui / baseline, target_tui_s=1.0)


# --- 3. grading throughput -----------------------------------------------------------------


def _variants(library, rng: random.Random):
    from tutor.content.models import ChartKey, Submission
    from tutor.grading.keys import key_as_submission

    pairs = []
    for ident, key in sorted(library.keys.items()):
        exercise = library.exercises.get(ident)
        if exercise is None:
            continue
        perfect = key_as_submission(key)
        pairs.append((exercise, key, perfect))
        if isinstance(key, ChartKey) and perfect.diagnoses:
            data = perfect.model_dump()
            data["diagnoses"] = list(reversed(data["diagnoses"][1:])) + data["diagnoses"][:1]
            data["diagnoses"].append({"code": rng.choice(["R05.9", "E11", "I10", "Z79.4"]), "poa": "Y"})
            pairs.append((exercise, key, Submission.model_validate(data)))
    return pairs


def _naive_grade(key, submission) -> float:
    """Baseline: exact set comparison of normalised codes (what a naive grader does)."""
    from tutor.codes import CodeSystem, normalize

    wanted = {normalize(d.code, CodeSystem.ICD10CM) for d in getattr(key, "diagnoses", [])}
    given = {normalize(d.code, CodeSystem.ICD10CM) for d in submission.diagnoses}
    return len(wanted & given) / max(1, len(wanted | given))


def bench_grading() -> None:
    from tutor.codes import CodeSets
    from tutor.content.library import load_library
    from tutor.grading import Grader

    library = load_library([ROOT / "exercises", ROOT / "answer_keys"])
    codes = CodeSets.open()
    grader = Grader(codes)
    pairs = _variants(library, random.Random(3))
    for exercise, key, submission in pairs:  # warm the memoised code checks, as a batch run would
        grader.grade(exercise, key, submission)

    def rate(fn, seconds: float = 3.0) -> float:
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            for exercise, key, submission in pairs:
                fn(exercise, key, submission)
            n += len(pairs)
        return n / (time.perf_counter() - start)

    ours = rate(grader.grade)
    naive = rate(lambda e, k, s: _naive_grade(k, s))
    report("grading throughput (one core, bundled content: keys and perturbed submissions)",
           charts=len(pairs), charts_per_second=ours, naive_set_compare_per_second=naive,
           ratio_naive_over_ours=naive / ours, target_charts_per_second=10_000.0)
    codes.close()


# --- 4. validate ---------------------------------------------------------------------------


def _generated_tree(root: Path, target: int = 2000) -> Path:
    from tutor.commands.generate import drg_grouper
    from tutor.codes import CodeSets
    from tutor.content.generator import generate, load_template, write

    codes = CodeSets.open()
    templates = [load_template(p) for p in sorted((ROOT / "exercises" / "templates").glob("*.yaml"))]
    made, seed = 0, 1
    while made < target:
        for template in templates:
            group = drg_grouper(codes) if template.key.get("drg") == "auto" else None
            items = generate(template, seed, min(40, target - made), group)
            write(items, root / "exercises" / template.template, root / "answer_keys" / template.template)
            made += len(items)
            if made >= target:
                break
        seed += 1
    codes.close()
    return root


def bench_validate() -> None:
    import yaml

    def timed(args: list[str]) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tutor", "validate", *args], capture_output=True)
        return time.perf_counter() - start

    def parse_only(paths: list[Path]) -> float:
        files = [p for root in paths for p in root.rglob("*.yaml") if "templates" not in p.parts]
        start = time.perf_counter()
        for f in files:
            yaml.safe_load(f.read_text())
        return time.perf_counter() - start

    bundled = [ROOT / "exercises", ROOT / "answer_keys"]
    tmp = Path(tempfile.mkdtemp())
    try:
        tree = _generated_tree(tmp)
        generated = [tree / "exercises", tree / "answer_keys"]
        count = sum(1 for _ in (tree / "exercises").rglob("*.yaml"))
        report("validate (whole command, code-set checks included)",
               bundled_seconds=timed([str(p) for p in bundled]),
               bundled_plain_yaml_parse_baseline_s=parse_only(bundled),
               generated_exercises=count, generated_seconds=timed([str(p) for p in generated]),
               generated_plain_yaml_parse_baseline_s=parse_only(generated))
        r = RESULTS["validate (whole command, code-set checks included)"]
        r["generated_ratio_to_baseline"] = r["generated_seconds"] / r["generated_plain_yaml_parse_baseline_s"]
        print(f"  {'generated_ratio_to_baseline':<44} {r['generated_ratio_to_baseline']:.4g}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- 5. memory -----------------------------------------------------------------------------

MEMORY_PROBE = """
import asyncio, resource, sys
from pathlib import Path
from tutor.codes import CodeSets
from tutor.content.library import load_library
from tutor.progress import ProgressStore
from tutor.ui.app import MedcodeApp
from tutor.ui.context import Tutor
async def main():
    root = Path(sys.argv[1])
    library = load_library([root / "exercises", root / "answer_keys"])
    tutor = Tutor(library, CodeSets.open(), ProgressStore(":memory:"), "bench")
    app = MedcodeApp(tutor)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.open_exercise(sorted(tutor.library.keys)[0]); await pilot.pause()
        for ch in "e119": await pilot.press(ch)
        await pilot.pause()
asyncio.run(main())
print(next(l.split()[1] for l in open("/proc/self/status") if l.startswith("VmHWM")))
"""


def bench_memory() -> None:
    # VmHWM (peak resident set of this process image): unlike ru_maxrss it does not inherit the
    # benchmark process's own peak across fork and exec.
    def peak(code: str, *args: str) -> float:
        out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
        return int(out.stdout.strip().splitlines()[-1]) / 1024  # kB -> MB

    baseline = peak('import textual; print(next(l.split()[1] for l in open("/proc/self/status") '
                    'if l.startswith("VmHWM")))')
    tui = peak(MEMORY_PROBE, str(ROOT))
    report("peak memory (maxRSS, MB)", import_textual_baseline_mb=baseline, tui_with_code_sets_mb=tui,
           ratio_to_baseline=tui / baseline, target_mb=150.0)


# --- 6. large and hostile submissions ------------------------------------------------------

SUBMISSION_EXERCISE = "ip-pneumonia-hyponatremia"  # inpatient, with POA and an MS-DRG: every element graded


def _largest_allowed_submission() -> dict:
    """The largest chart submission the limits allow, built to cost the grader most.

    Every diagnosis is billable and 480 of them (the diabetes families E08-E13, R73, O24) are in
    Excludes1 conflict with hundreds of others; every procedure line is a valid ICD-10-PCS code; the
    exercise has an MS-DRG, so all of them go to the grouper too.
    """
    import simple_icd_10_cm as cm

    from tutor.codes import CodeSets, CodeSystem
    from tutor.content.submissions import MAX_LINES

    rng = random.Random(11)
    billable = [c for c in cm.get_all_codes(True) if cm.is_leaf(c)]
    conflicting = [c for c in billable if c[:3] in ("E08", "E09", "E10", "E11", "E13", "R73", "O24")]
    others = rng.sample(sorted(set(billable) - set(conflicting) - {"J18.9"}), MAX_LINES)
    diagnoses = list(dict.fromkeys(["J18.9", *conflicting, *others]))[:MAX_LINES]
    codes = CodeSets.open()
    pcs = [code for code, _ in codes.search("excision", CodeSystem.ICD10PCS, 300)]
    codes.close()
    return {"exercise": SUBMISSION_EXERCISE, "trainee": "benchmark",
            "diagnoses": [{"code": c, "poa": "Y"} for c in diagnoses],
            "procedures": [{"code": rng.choice(pcs), "system": "icd10pcs"} for _ in range(MAX_LINES)],
            "drg": "194"}


def bench_submissions() -> None:
    """``medcode grade`` end to end on the largest submission the limits allow and on floods it refuses."""
    from tutor.codes import CodeSets
    from tutor.codes.excludes1 import Excludes1Relation
    from tutor.content.submissions import MAX_SUBMISSION_BYTES

    tmp = Path(tempfile.mkdtemp())
    largest = _largest_allowed_submission()
    files = {
        "one_line": json.dumps({"exercise": SUBMISSION_EXERCISE, "diagnoses": ["J18.9"]}),
        "largest_allowed": json.dumps(largest, indent=4),
        # The report's case: 100,000 codes in a 900 kB file (it took about 20 minutes to grade).
        "flood_100k_codes": json.dumps({"exercise": SUBMISSION_EXERCISE,
                                        "diagnoses": ["E11.9", "E10.9", "R73.03", "N39.0"] * 25_000}),
        # Two bytes a code, just under the size limit: a quarter of a million codes.
        "flood_250k_tiny_codes": f"exercise: {SUBMISSION_EXERCISE}\ndiagnoses: ["
                                 + ",".join(["A"] * (MAX_SUBMISSION_BYTES // 2 - 100)) + "]\n",
    }
    seconds, exits, sizes = {}, {}, {}
    try:
        for name, text in files.items():
            path = tmp / f"{name}.json"
            path.write_text(text)
            sizes[name] = path.stat().st_size
            times = []
            for _ in range(3):
                start = time.perf_counter()
                done = subprocess.run([sys.executable, "-m", "tutor", "grade", str(path)], capture_output=True)
                times.append(time.perf_counter() - start)
            seconds[name], exits[name] = statistics.median(times), done.returncode
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    # The Excludes1 check alone on the largest allowed diagnoses: indexed (now), then every pair (before),
    # which finds each code's references already cached by the first run.
    codes = CodeSets.open()
    dx = [d["code"] for d in largest["diagnoses"]]
    start = time.perf_counter()
    relation = Excludes1Relation(dx, codes.excludes1_refs)
    indexed = {a for a in dx if relation.has_partner(a)}
    indexed_s = time.perf_counter() - start
    start = time.perf_counter()
    pairwise = {a for a in dx if any(b != a and codes.excludes1_conflict(a, b) for b in dx)}
    pairwise_s = time.perf_counter() - start
    assert indexed == pairwise
    # Near-linear: every billable ICD-10-CM code at once (no limit applies in-process), per code.
    import simple_icd_10_cm as cm

    every = [c for c in cm.get_all_codes(True) if cm.is_leaf(c)]
    start = time.perf_counter()
    relation = Excludes1Relation(every, codes.excludes1_refs)
    every_in_conflict = sum(relation.has_partner(c) for c in every)
    every_s = time.perf_counter() - start
    codes.close()

    base = seconds["one_line"]
    report("large and hostile submissions (medcode grade end to end, median of 3)",
           one_line_baseline_s=base,
           largest_allowed_bytes=sizes["largest_allowed"], largest_allowed_s=seconds["largest_allowed"],
           largest_allowed_exit=exits["largest_allowed"], largest_allowed_ratio=seconds["largest_allowed"] / base,
           flood_100k_bytes=sizes["flood_100k_codes"], flood_100k_s=seconds["flood_100k_codes"],
           flood_100k_exit=exits["flood_100k_codes"], flood_100k_ratio=seconds["flood_100k_codes"] / base,
           flood_250k_tiny_bytes=sizes["flood_250k_tiny_codes"], flood_250k_tiny_s=seconds["flood_250k_tiny_codes"],
           flood_250k_tiny_exit=exits["flood_250k_tiny_codes"],
           flood_250k_tiny_ratio=seconds["flood_250k_tiny_codes"] / base,
           excludes1_codes=len(dx), excludes1_in_conflict=len(indexed), excludes1_pairwise_s=pairwise_s,
           excludes1_indexed_s=indexed_s, excludes1_ratio_pairwise_over_indexed=pairwise_s / indexed_s,
           excludes1_every_billable_codes=len(every), excludes1_every_billable_in_conflict=every_in_conflict,
           excludes1_every_billable_s=every_s,
           excludes1_us_per_code_1000=indexed_s / len(dx) * 1e6, excludes1_us_per_code_every=every_s / len(every) * 1e6,
           target_s=2.0)


SECTIONS = {"lookup": bench_lookup, "startup": bench_startup, "grading": bench_grading,
            "validate": bench_validate, "memory": bench_memory, "submissions": bench_submissions}


def main() -> None:
    chosen = sys.argv[1:] or list(SECTIONS)
    started = time.perf_counter()
    print(f"medcode-tutor benchmarks on {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for name in chosen:
        SECTIONS[name]()
    print(f"\nall done in {time.perf_counter() - started:.0f} s")
    out = ROOT / "benchmarks" / "last-run.json"
    out.write_text(json.dumps(RESULTS, indent=2))
    print(f"figures written to {out}")


if __name__ == "__main__":
    main()
