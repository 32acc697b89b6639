"""The giveaway check: chart text and labels that hand the trainee the answer (issue 12).

``medcode validate`` warns (``--strict``: fails), at the place in the exercise file, when

- **title**: a required key line's full code title is spelled out in one line of the documents
  (ICD-10-CM diagnoses; ICD-10-PCS and HCPCS procedures; never CPT, whose descriptors we do not
  ship). Only titles of at least :data:`MIN_TITLE_WORDS` content words count (:func:`title_words`:
  nonessential modifiers in () and [], stop words and the fillers "other", "otherwise",
  "unspecified", "specified", "NOS" left out). A title *appears* in a line when its content
  words occur there in order, the span holding at most :data:`MAX_EXTRA_WORDS` words more than
  the title does, no more negations ("no", "not", "without", ...) than the title has ("Alcohol
  dependence with acute withdrawal, no delirium" does not spell out "Alcohol dependence with
  withdrawal delirium"), and no sentence end (". X", "; ");
- **phrase**: a phrase of the maintained list ``tutor/content/data/giveaway_phrases.txt``
  (guideline wording, classifications, code-title axes) occurs in a line of the documents;
- **label**: the neutral ``label`` holds a content word of a required diagnosis's title (external
  causes aside) or of a topic, unless the word is one a chief complaint or a neutral label uses
  whatever the answer (``tutor/content/data/label_words.txt``: symptoms, body parts, sides,
  settings, services, visit words).

A *line* is a line as the chart screen shows it: hard line breaks inside a paragraph are joined
(:func:`display_lines`, the rule of ``tutor.ui.screens.chart.reflow``). Words are compared with
case, punctuation and whitespace normalised; titles also with simple plurals folded
("complications" = "complication").

:func:`measure` gives the share of required diagnosis titles (four or more content words)
spelled out in one line of their chart: the measurement in issue 12's acceptance
(``medcode validate --giveaways``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from tutor.codes import CodeSets, CodeSystem, normalize
from tutor.codes.normalize import infer_procedure_system
from tutor.content.library import Library, Problem, SourceFile
from tutor.content.models import ChartExercise, ChartKey, Document, KeyDiagnosis, KeyProcedure

PREFIX = "giveaway: "
"""Every giveaway warning starts with it (instructors and tests can pick them out)."""

MIN_TITLE_WORDS = 4
"""A code title with fewer content words ("Acute appendicitis") is what clinicians write."""

MAX_EXTRA_WORDS = 3
"""How many more words the matched span may hold than the title does between its first and last
content words: "Type 2 diabetes mellitus with diabetic peripheral polyneuropathy" (one more) still
spells out E11.42; "acute exacerbation, triggered by a viral upper respiratory infection" (five
more) does not spell out J06.9 "Acute upper respiratory infection, unspecified"."""

STOP_WORDS = frozenset(
    "a an and as at by for from in into of on or per the to with within without not no nor than due "
    # classification fillers: the title without them is still the title ("Unspecified severe
    # protein-calorie malnutrition" is given away by "severe protein-calorie malnutrition")
    "other otherwise unspecified specified nos".split()
)
NEGATIONS = frozenset("no not without denies denied negative neg absent never none".split())

_WORD = re.compile(r"[a-z0-9]+")
_NONESSENTIAL = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
"""ICD-10-CM's nonessential modifiers "(acute)" and supplementary words "[NSTEMI]"."""
# The chart screen's paragraph rule (tutor/ui/screens/chart.py, reflow): a line starting with a
# list marker, a section label or an all-capitals word starts a new displayed line.
_BREAK_BEFORE = re.compile(r"^\s*(?:\d+[.)]|[-*•]|[A-Z][A-Za-z/&\- ]{0,24}:|[A-Z]{2,}\b)")


def _fold(word: str) -> str:
    """Simple plurals: "complications" -> "complication" ("status", "stenosis", "class" stay)."""
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """Lower-case words of a text, punctuation and whitespace ignored, simple plurals folded."""
    return [_fold(w) for w in _WORD.findall(text.lower())]


def title_words(title: str) -> tuple[str, ...]:
    """The content words of a code title: nonessential modifiers in () and [] and stop words left out."""
    return tuple(w for w in words(_NONESSENTIAL.sub(" ", title)) if w not in STOP_WORDS)


# --- lines as the trainee sees them ---------------------------------------------------------


@dataclass
class DisplayLine:
    """One displayed line: hard-wrapped lines of a paragraph joined with single spaces."""

    text: str
    starts: list[tuple[int, int, int]] = field(default_factory=list)
    """(offset in ``text``, index of the text's physical line, columns of indentation dropped)."""

    def source(self, offset: int) -> tuple[int, int]:
        """The physical line index and the offset within it of a character of ``text``."""
        start, index, dropped = max((s for s in self.starts if s[0] <= offset), default=self.starts[0])
        return index, offset - start + dropped


def display_lines(text: str) -> list[DisplayLine]:
    lines: list[DisplayLine] = []
    for index, raw in enumerate(text.splitlines()):
        last = lines[-1] if lines else None
        if last is not None and last.text.strip() and raw.strip() and not _BREAK_BEFORE.match(raw):
            last.text = last.text.rstrip() + " "
            last.starts.append((len(last.text), index, len(raw) - len(raw.lstrip())))
            last.text += raw.strip()
        else:
            lines.append(DisplayLine(raw.rstrip(), [(0, index, 0)]))
    return lines


_WORD_ANY_CASE = re.compile(r"[A-Za-z0-9]+")


def _tokens(text: str, fold: bool) -> list[tuple[str, int, int]]:
    """(word, start, end) of each word of ``text``, offsets into ``text`` itself."""
    return [(_fold(m.group().lower()) if fold else m.group().lower(), m.start(), m.end())
            for m in _WORD_ANY_CASE.finditer(text)]


# --- (a) titles -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Title:
    code: str
    system: CodeSystem
    title: str
    content: tuple[str, ...]
    length: int
    """Words of the title from its first content word to its last, stop words included (nonessential
    modifiers left out)."""
    negations: int

    @classmethod
    def of(cls, code: str, system: CodeSystem, title: str) -> Title:
        bare = words(_NONESSENTIAL.sub(" ", title))
        inner = [i for i, w in enumerate(bare) if w not in STOP_WORDS]
        length = inner[-1] - inner[0] + 1 if inner else 0
        return cls(code, system, title, title_words(title), length, sum(w in NEGATIONS for w in bare))

    @property
    def counts(self) -> bool:
        return len(self.content) >= MIN_TITLE_WORDS


_SENTENCE_END = re.compile(r"[.!?]\s+[A-Z0-9]|;")


def find_title(title: Title, line: str) -> tuple[int, int] | None:
    """Where ``title`` is spelled out in ``line`` (character offsets of the shortest such span), within
    one sentence."""
    tokens = _tokens(line, fold=True)
    first, rest = title.content[0], title.content[1:]
    best: tuple[int, int] | None = None
    for start, (word, _, _) in enumerate(tokens):
        if word != first:
            continue
        end = start
        for wanted in rest:
            end += 1
            while end < len(tokens) and tokens[end][0] != wanted:
                end += 1
            if end >= len(tokens):
                break
        else:
            if best is None or end - start < best[1] - best[0]:
                best = (start, end)
    if best is None:
        return None
    span = tokens[best[0]:best[1] + 1]
    if len(span) > title.length + MAX_EXTRA_WORDS:
        return None
    if sum(word in NEGATIONS for word, _, _ in span) > title.negations:
        return None
    if _SENTENCE_END.search(line, span[0][1], span[-1][2]):
        return None
    return span[0][1], span[-1][2]


def required_titles(key: Any, codes: CodeSets) -> list[Title]:
    """The titles of a key's required lines: ICD-10-CM diagnoses, ICD-10-PCS and HCPCS procedures."""
    diagnoses, procedures = _required_lines(key)
    found: dict[tuple[str, CodeSystem], Title] = {}
    for line in diagnoses:
        code = normalize(line.code, CodeSystem.ICD10CM)
        title = codes.title(code, CodeSystem.ICD10CM)
        if title:
            found.setdefault((code, CodeSystem.ICD10CM), Title.of(code, CodeSystem.ICD10CM, title))
    for line in procedures:
        code = normalize(line.code, None)
        system = CodeSystem(line.system) if line.system else infer_procedure_system(code)
        if system not in (CodeSystem.ICD10PCS, CodeSystem.HCPCS):
            continue  # CPT descriptors are the AMA's: not shipped, never matched
        title = codes.title(code, system)
        if title:
            found.setdefault((code, system), Title.of(code, system, title))
    return list(found.values())


def _required_lines(key: Any) -> tuple[list[KeyDiagnosis], list[KeyProcedure]]:
    from tutor.content.billing import ClaimKey

    if isinstance(key, ChartKey):
        lines = key
    elif isinstance(key, ClaimKey):
        lines = key.corrected
    else:
        return [], []
    return ([d for d in lines.diagnoses if not d.optional], [p for p in lines.procedures if not p.optional])


# --- (b) phrases ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Phrase:
    text: str
    """As written in the list."""
    words: tuple[str, ...] | None
    pattern: re.Pattern[str] | None


def parse_phrases(text: str) -> list[Phrase]:
    """One phrase per line; ``#`` starts a comment. Words-only phrases match whole words (hyphens and
    other punctuation ignored); a phrase with other punctuation ("(MCC)") matches as written."""
    phrases: list[Phrase] = []
    for raw in text.splitlines():
        phrase = " ".join(raw.split("#", 1)[0].split())
        if not phrase:
            continue
        if re.fullmatch(r"[A-Za-z0-9 '\-]+", phrase):
            phrases.append(Phrase(phrase, tuple(_WORD.findall(phrase.lower())), None))
        else:
            body = r"\s+".join(re.escape(part) for part in phrase.split())
            body = (r"(?<![a-z0-9])" if phrase[0].isalnum() else "") + body
            body += r"(?![a-z0-9])" if phrase[-1].isalnum() else ""
            phrases.append(Phrase(phrase, None, re.compile(body, re.IGNORECASE)))
    return phrases


@cache
def giveaway_phrases() -> tuple[Phrase, ...]:
    return tuple(parse_phrases(files("tutor.content").joinpath("data", "giveaway_phrases.txt")
                               .read_text(encoding="utf-8")))


def find_phrases(line: str, phrases: tuple[Phrase, ...] | list[Phrase]) -> list[tuple[Phrase, int]]:
    """Every listed phrase in ``line``, with the character offset where it starts."""
    tokens = _tokens(line, fold=False)
    where: dict[str, list[int]] = {}
    for i, (word, _, _) in enumerate(tokens):
        where.setdefault(word, []).append(i)
    found: list[tuple[Phrase, int]] = []
    for phrase in phrases:
        if phrase.words is not None:
            n = len(phrase.words)
            for i in where.get(phrase.words[0], ()):
                if tuple(t[0] for t in tokens[i:i + n]) == phrase.words:
                    start, end = tokens[i][1], tokens[i + n - 1][2]
                    if _whole(line, start, end) and not _SENTENCE_END.search(line, start, end):
                        found.append((phrase, tokens[i][1]))
        elif phrase.pattern is not None:
            found.extend((phrase, m.start()) for m in phrase.pattern.finditer(line) if _whole(line, m.start(), m.end()))
    return sorted(found, key=lambda hit: hit[1])


_COMPOUND_BEFORE = re.compile(r"[A-Za-z0-9]-$")
_COMPOUND_AFTER = re.compile(r"^-[A-Za-z0-9]")


def _whole(line: str, start: int, end: int) -> bool:
    """A phrase neither starts nor ends inside a hyphenated word ("MDM: low" is not in "MDM: Low-speed")."""
    return not _COMPOUND_BEFORE.search(line[max(0, start - 2):start]) and not _COMPOUND_AFTER.match(line[end:end + 2])


# --- (c) labels -----------------------------------------------------------------------------


@cache
def label_words() -> frozenset[str]:
    """Words a neutral label may hold even when a title or topic has them (the maintained list)."""
    text = files("tutor.content").joinpath("data", "label_words.txt").read_text(encoding="utf-8")
    return frozenset(w for raw in text.splitlines() for w in words(raw.split("#", 1)[0]))


EXTERNAL_CAUSE = ("V", "W", "X", "Y")
"""External-cause codes (chapter 20): their titles are how the patient got hurt ("Fall from a
skateboard"), which is what a label's reason for the visit says."""


def answer_words(exercise: Any, titles: list[Title]) -> dict[str, list[str]]:
    """Words that name the answer, each with where it comes from: content words of the required
    ICD-10-CM diagnoses' titles (external causes aside) and of the topics, less stop words, numbers,
    words of two letters or fewer and the allowed label words. Procedure titles and the exercise
    title are left out: they hold words of the service and the visit ("cardiac", "colonoscopy")."""
    sources: dict[str, list[str]] = {}

    def add(text: str, source: str) -> None:
        for word in title_words(text):
            if len(word) > 2 and not word.isdigit() and word not in label_words():
                if source not in sources.setdefault(word, []):
                    sources[word].append(source)

    for title in titles:
        if title.system is CodeSystem.ICD10CM and not title.code.startswith(EXTERNAL_CAUSE):
            add(title.title, f"the title of {title.code}")
    for topic in exercise.topics:
        add(topic.replace("-", " ").replace("_", " "), f"the topic '{topic}'")
    return sources


def find_label_words(label: str, named: dict[str, list[str]]) -> list[tuple[str, int, list[str]]]:
    """The label's words that name the answer: (word as written, offset, where it comes from)."""
    out = []
    for word, start, end in _tokens(label, fold=True):
        sources = named.get(word)
        if sources:
            out.append((label[start:end], start, sources))
    return out


# --- the check ------------------------------------------------------------------------------


class _Places:
    """``path:line:column`` of a character inside a text value of a content file."""

    def __init__(self) -> None:
        self._lines: dict[Path, list[str]] = {}

    def raw(self, path: Path) -> list[str]:
        if path not in self._lines:
            try:
                self._lines[path] = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except (OSError, ValueError):
                self._lines[path] = []
        return self._lines[path]

    def at(self, source: SourceFile, loc: tuple, text_line: str, line_index: int, offset: int) -> tuple[int, int]:
        """The place of ``text_line[offset]``, the ``line_index``-th line of the value at ``loc``.

        A block literal (``|``) keeps its lines: line ``k`` of the text is file line ``k`` after the
        indicator. Any other style (folded, plain, quoted): the first file line from the value's own
        that holds the word there."""
        line, column = source.positions.get(loc) or source.at(*loc)  # the value's own place, not its key's
        lines = self.raw(source.path)
        if not 0 < line <= len(lines):
            return line, column
        if lines[line - 1][column - 1:column] == "|" and line + line_index < len(lines):
            raw = lines[line + line_index].rstrip()
            if text_line.strip() and raw.endswith(text_line.rstrip()):
                return line + line_index + 1, len(raw) - len(text_line.rstrip()) + offset + 1
        word = _WORD_ANY_CASE.match(text_line, offset)
        if word:
            pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(word.group())}(?![A-Za-z0-9])", re.IGNORECASE)
            for n in range(line - 1, len(lines)):
                found = pattern.search(lines[n], column - 1 if n == line - 1 else 0)
                if found:
                    return n + 1, found.start() + 1
        return line, column


@dataclass(frozen=True)
class TitleHit:
    exercise: str
    kind: str
    code: str
    system: str
    title: str
    path: str
    line: int
    column: int
    text: str
    """The span of the chart line that spells the title out, as written."""


def _documents(exercise: Any) -> list[Document]:
    return list(getattr(exercise, "documents", None) or [])


def _scan_titles(ident: str, exercise: Any, titles: list[Title], source: SourceFile,
                 places: _Places) -> Iterator[tuple[Title, TitleHit]]:
    for d, document in enumerate(_documents(exercise)):
        physical = document.text.splitlines()
        shown = display_lines(document.text)
        for title in titles:
            if not title.counts:
                continue
            for line in shown:
                span = find_title(title, line.text)
                if span is None:
                    continue
                index, offset = line.source(span[0])
                row, column = places.at(source, ("documents", d, "text"), physical[index], index, offset)
                yield title, TitleHit(ident, exercise.kind, title.code, title.system.value, title.title,
                                      str(source.path), row, column, line.text[span[0]:span[1]])


def check_giveaways(library: Library, codes: CodeSets) -> None:
    """Add a warning for every giveaway in the library's chart, claim and remittance exercises."""
    places = _Places()
    phrases = giveaway_phrases()
    found: set[Problem] = set()

    def warn(path: str, line: int, column: int, message: str) -> None:
        found.add(Problem(path, line, column, PREFIX + message, "warning"))

    for ident, exercise in sorted(library.exercises.items()):
        if exercise.kind == "mcq":
            continue
        source = library.exercise_files[ident]
        path = str(source.path)
        key = library.keys.get(ident)
        titles = required_titles(key, codes) if key is not None else []
        for title, hit in _scan_titles(ident, exercise, titles, source, places):
            what = "diagnosis" if title.system is CodeSystem.ICD10CM else "procedure"
            warn(path, hit.line, hit.column, f"the full title of {title.code}, a required {what}, is spelled out "
                                             f"in one line (\"{title.title}\"): write what the clinician found")
        for d, document in enumerate(_documents(exercise)):
            physical = document.text.splitlines()
            for line in display_lines(document.text):
                for phrase, offset in find_phrases(line.text, phrases):
                    index, column = line.source(offset)
                    row, col = places.at(source, ("documents", d, "text"), physical[index], index, column)
                    warn(path, row, col, f"\"{phrase.text}\" is guideline or classification wording, "
                                         "not a clinician's (giveaway phrase list)")
        label = getattr(exercise, "label", None)
        if label:
            for word, offset, sources in find_label_words(label, answer_words(exercise, titles)):
                row, col = places.at(source, ("label",), label, 0, offset)
                warn(path, row, col, f"the label names the answer: '{word}' (from {' and '.join(sources)}); "
                                     "a label gives setting, patient and the reason for the visit")
    library.problems.extend(found)
    library.problems.sort()


# --- the measurement ------------------------------------------------------------------------


@dataclass
class Measurement:
    """Required ICD-10-CM diagnosis titles of four or more content words, and those spelled out in
    one line of their exercise's documents (charts, and claims with documents)."""

    titles: dict[str, int] = field(default_factory=dict)
    """Counted titles by exercise kind."""
    hits: list[TitleHit] = field(default_factory=list)
    """One per spelled-out title (its first place)."""

    @property
    def total(self) -> int:
        return sum(self.titles.values())

    @property
    def share(self) -> float:
        return len(self.hits) / self.total if self.total else 0.0

    def share_of(self, kind: str) -> float:
        n = self.titles.get(kind, 0)
        return sum(h.kind == kind for h in self.hits) / n if n else 0.0

    def as_json(self) -> dict:
        return {
            "titles": self.total, "spelled_out": len(self.hits), "share": round(self.share, 4),
            "exercises_with_one": len({h.exercise for h in self.hits}),
            "by_kind": {kind: {"titles": n, "spelled_out": sum(h.kind == kind for h in self.hits),
                               "share": round(self.share_of(kind), 4)}
                        for kind, n in sorted(self.titles.items())},
            "hits": [{"exercise": h.exercise, "code": h.code, "title": h.title, "path": h.path,
                      "line": h.line, "column": h.column, "text": h.text} for h in self.hits],
        }


def measure(library: Library, codes: CodeSets) -> Measurement:
    result = Measurement()
    places = _Places()
    for ident, exercise in sorted(library.exercises.items()):
        key = library.keys.get(ident)
        if key is None or (not isinstance(exercise, ChartExercise) and not _documents(exercise)):
            continue
        titles = [t for t in required_titles(key, codes) if t.system is CodeSystem.ICD10CM and t.counts]
        if not titles:
            continue
        result.titles[exercise.kind] = result.titles.get(exercise.kind, 0) + len(titles)
        seen: set[str] = set()
        for title, hit in _scan_titles(ident, exercise, titles, library.exercise_files[ident], places):
            if title.code not in seen:
                seen.add(title.code)
                result.hits.append(hit)
    return result
