"""What Moodle's XML question importer reads from a file, re-stated so a test fails when a
field it reads is missing or malformed (Moodle publishes no schema for its XML format).

Mirrored from Moodle's sources (GPL; only their behaviour is restated here):

* ``question/format/xml/format.php``: ``import_question`` dispatches on ``question@type``;
  ``import_headers`` needs ``name/text`` (else "xmlimportnoname") and reads
  ``questiontext/text`` with its ``format`` attribute, ``defaultgrade``, ``penalty``,
  ``idnumber``; ``import_numerical`` reads every ``answer``: its number from ``answer/text``,
  ``fraction`` (a percentage attribute), ``tolerance``; ``import_category`` reads
  ``category/text``; ``import_multianswer`` hands ``questiontext/text`` to the cloze parser.
* ``question/type/multianswer/questiontype.php``: ``qtype_multianswer_extract_question``
  (the ``ANSWER_REGEX`` family below, group numbers as in PHP) and
  ``qtype_multianswer_validate_question`` (a number or ``*``, one answer at 100 %).
* ``question/type/numerical/questiontype.php``: ``is_valid_number`` through
  ``qtype_numerical_answer_processor::apply_units`` with no units defined.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

FORMATS = ("moodle_auto_format", "html", "plain_text", "wiki_like", "markdown")  # trans_format

_FRACTION = r"=|%(-?[0-9]+(?:[.,][0-9]*)?)%"
_ANSWER = r".+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$)"  # PCRE's (?<!\\|&|&amp;), split
_FEEDBACK = r".*?(?<!\\)(?=[~}]|$)"
_ALTERNATIVE = f"({_FRACTION})?({_ANSWER})(#({_FEEDBACK}))?"
_NUMBER = r"-?(([0-9]+[.,]?[0-9]*|[.,][0-9]+)([eE][-+]?[0-9]+)?)"
NUMERICAL_ALTERNATIVE = re.compile(f"^({_NUMBER})(:{_NUMBER})?$", re.S)
_TYPES = ("(NUMERICAL|NM)|(MULTICHOICE|MC)|(MULTICHOICE_V|MCV)|(MULTICHOICE_H|MCH)|"
          "(SHORTANSWER|SA|MW)|(SHORTANSWER_C|SAC|MWC)|"
          "(MULTICHOICE_S|MCS)|(MULTICHOICE_VS|MCVS)|(MULTICHOICE_HS|MCHS)|"
          "(MULTIRESPONSE|MR)|(MULTIRESPONSE_H|MRH)|(MULTIRESPONSE_S|MRS)|(MULTIRESPONSE_HS|MRHS)")
ANSWER = re.compile(r"\{([0-9]*):(" + _TYPES + "):(" + _ALTERNATIVE + "(~" + _ALTERNATIVE
                    + r")*)\}", re.S)
ALTERNATIVE = re.compile("~?" + _ALTERNATIVE, re.S)
NORM, NUMERICAL, ALTERNATIVES = 1, 3, 16  # ANSWER_REGEX_* group numbers
CORRECT, MARGIN = 1, 6  # NUMERICAL_CORRECT_ANSWER, NUMERICAL_ABS_ERROR_MARGIN
_APPLY_UNITS = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?")


class MoodleImportError(AssertionError):
    """The importer would refuse the file, or import something else than was meant."""


@dataclass
class Imported:
    qtype: str
    name: str
    idnumber: str | None
    category: str
    answers: list[tuple[float, float, float]] = field(default_factory=list)  # value, %, tol


def is_valid_number(text: str) -> bool:
    """``qtype_numerical::is_valid_number`` with no units: a number and nothing after it."""
    text = text.replace(" ", "")
    text = re.sub(r"(?:e|E|(?:x|\*|×)10(?:\^|\*\*))([+-]?\d+)", r"e\1", text)
    text = text.replace(",", "") if "." in text or text.count(",") > 1 else \
        text.replace(",", ".")
    match = _APPLY_UNITS.match(text)
    return match is not None and match.group(0) == text


def _text(question: ET.Element, path: str, what: str, required: bool = True) -> str:
    element = question.find(path)
    if element is None or element.text is None:
        if required:
            raise MoodleImportError(f"{what}: <{path}> is missing")
        return ""
    return element.text.strip()


def _format(question: ET.Element, tag: str, what: str) -> None:
    value = question.find(tag).get("format", "html") if question.find(tag) is not None else "html"
    if value not in FORMATS:
        raise MoodleImportError(f"{what}: {tag} format {value!r} is not one Moodle knows")


def _float(text: str | None, what: str) -> float:
    try:
        return float(text if text is not None else "")
    except ValueError:
        raise MoodleImportError(f"{what}: {text!r} is not a number") from None


def _headers(question: ET.Element, kind: str, category: str) -> Imported:
    name = _text(question, "name/text", f"{kind} question", required=False)
    if not name:
        raise MoodleImportError(f"{kind} question without a name (xmlimportnoname)")
    what = f"{kind} question {name!r}"
    if not _text(question, "questiontext/text", what):
        raise MoodleImportError(f"{what}: empty question text")
    _format(question, "questiontext", what)
    _format(question, "generalfeedback", what)
    for tag in ("defaultgrade", "penalty"):
        if question.find(tag) is not None:
            _float(question.findtext(tag), f"{what}: {tag}")
    idnumber = question.findtext("idnumber")
    if idnumber is not None and len(idnumber) > 100:
        raise MoodleImportError(f"{what}: idnumber longer than 100 characters")
    return Imported(kind, name, idnumber, category)


def _numerical(question: ET.Element, category: str) -> Imported:
    imported = _headers(question, "numerical", category)
    what = f"numerical question {imported.name!r}"
    answers = question.findall("answer")
    if not answers:
        raise MoodleImportError(f"{what}: no <answer>")
    for answer in answers:
        if answer.find("text") is None:
            raise MoodleImportError(f"{what}: the number must be in <answer><text> (a number "
                                    "written outside <text> is deprecated)")
        text = answer.findtext("text").strip()
        if text != "*" and not is_valid_number(text):
            raise MoodleImportError(f"{what}: answer {text!r} is not a number Moodle accepts")
        fraction = _float(answer.get("fraction", "0"), f"{what}: answer fraction")
        tolerance = _float(answer.findtext("tolerance", "0"), f"{what}: tolerance")
        if tolerance < 0:
            raise MoodleImportError(f"{what}: negative tolerance {tolerance}")
        imported.answers.append((float(text), fraction, tolerance))
    if not any(fraction == 100 for _, fraction, _ in imported.answers):
        raise MoodleImportError(f"{what}: no answer is worth 100 % (fractionsnomax)")
    return imported


def _cloze(question: ET.Element, category: str) -> Imported:
    imported = _headers(question, "cloze", category)  # stricter: Moodle would invent a name
    imported.idnumber = None  # import_multianswer never reads idnumber: the name has the code
    what = f"cloze question {imported.name!r}"
    text = _text(question, "questiontext/text", what)
    position = 0
    while (found := ANSWER.search(text)) is not None:
        position += 1
        if not found.group(NUMERICAL):
            raise MoodleImportError(f"{what}: blank {position} is not NUMERICAL")
        remaining, best = found.group(ALTERNATIVES), 0.0
        while (alternative := ALTERNATIVE.search(remaining)) is not None:
            fraction = 100.0 if alternative.group(1) == "=" else float(
                (alternative.group(2) or "0").replace(",", "."))
            number = NUMERICAL_ALTERNATIVE.search(alternative.group(3))
            if number is None or not is_valid_number(number.group(CORRECT)):
                raise MoodleImportError(f"{what}: blank {position} answer "
                                        f"{alternative.group(3)!r} is not a number")
            tolerance = float(number.group(MARGIN) or 0)
            imported.answers.append((float(number.group(CORRECT).replace(",", ".")),
                                     fraction, tolerance))
            best = max(best, fraction)
            remaining = remaining.split(alternative.group(0), 1)[1]
        if best != 100:
            raise MoodleImportError(f"{what}: blank {position} has no answer at 100 % "
                                    "(fractionsnomax)")
        text = text.replace(found.group(0), f"{{#{position}}}", 1)
    if position == 0:
        raise MoodleImportError(f"{what}: no blank (questionsmissing)")
    return imported


def moodle_import(text: str) -> list[Imported]:
    """The questions Moodle would import from ``text``, in order; raises MoodleImportError."""
    root = ET.fromstring(text)
    if root.tag != "quiz":
        raise MoodleImportError(f"the root element is <{root.tag}>, Moodle reads <quiz>")
    category, out = "", []
    for question in root.findall("question"):
        kind = question.get("type")
        if kind == "category":
            category = _text(question, "category/text", "category question")
        elif kind == "numerical":
            out.append(_numerical(question, category))
        elif kind in ("cloze", "multianswer"):
            out.append(_cloze(question, category))
        else:
            raise MoodleImportError(f"question type {kind!r} is not one this export writes")
    seen: set[tuple[str, str]] = set()
    for imported in out:
        key = (imported.category, imported.idnumber or "")
        if imported.idnumber and key in seen:
            raise MoodleImportError(f"idnumber {imported.idnumber!r} twice in one category")
        seen.add(key)
    return out
