"""Exercises' questions for a learning-management system: Moodle XML and QTI 1.2 (Canvas).

* ``moodle``: one *numerical* question per exercise question, its absolute tolerance as the
  answer's ``<tolerance>``;
* ``moodle-cloze``: one *cloze* (embedded answers) question per exercise, every question a
  ``{1:NUMERICAL:=value:tolerance}`` blank;
* ``qti``: a QTI 1.2 package for Canvas (a zip with ``imsmanifest.xml`` and one assessment):
  one ``numerical_question`` item per exercise question, correct within the tolerance.

No maintained library writes QTI 1.2 or Moodle's numerical questions, so the XML is built
with :mod:`xml.etree.ElementTree` (which escapes every text and attribute).  The tests
validate each QTI file against IMS's own QTI 1.2 ASI schema, check each Moodle file the way
Moodle's XML importer reads it (Moodle publishes no schema), and read every answer back with
:func:`read_moodle` / :func:`read_qti`, which take the tolerance the way the importers do.
Output is deterministic: the same exercises give the same bytes (fixed zip timestamps).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from tutor.engine.notation import to_html
from tutor.exercise import Exercise
from tutor.exercise.atomic import replace_atomically, write_atomically

from .answer_key import build
from .worksheet import Given, Worksheet, worksheet

LMS_FORMATS = ("moodle", "moodle-cloze", "qti")
QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
_VARIANT = re.compile(r" — variant ([0-9A-Z]{4}-[0-9A-Z]{6})\Z")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class Item:
    """One gradable question, as every format writes it."""

    ident: str  # unique in the export, e.g. "PFKP-DDH294_a1"
    name: str  # plain text
    label: str  # HTML: what is asked, e.g. "∂ℓ/∂β<sub>1</sub>"
    value: float
    tolerance: float
    feedback: str  # HTML: the worked step


@dataclass(frozen=True, slots=True)
class Parsed:
    """A question read back from an export."""

    ident: str
    value: float
    tolerance: float


def _code(exercise: Exercise) -> str:
    match = _VARIANT.search(exercise.title)
    return match.group(1) if match else hashlib.sha256(exercise.title.encode()).hexdigest()[:8]


def pool_title(exercises: Sequence[Exercise]) -> str:
    return _VARIANT.sub("", exercises[0].title) if exercises else "Backprop Tutor"


def items(exercise: Exercise) -> tuple[str, list[Item]]:
    """The shared HTML (network and numbers) and one Item per question."""
    sheet = worksheet(exercise)
    if not sheet.boxes:
        raise ValueError(f"{exercise.title}: the exercise has no questions to export")
    worked = build(exercise, exercise.problem.trace("node"), reveal_hidden=True).answers
    code = _code(exercise)
    out = []
    for box, answer, question in zip(sheet.boxes, worked, exercise.questions, strict=True):
        if len(box.values) != 1:
            raise ValueError(f"{exercise.title}: question {question.id!r} has no single "
                             f"number to grade")
        feedback = "" if answer.worked is None else " = ".join(to_html(p)
                                                               for p in answer.worked.parts)
        out.append(Item(f"{code}_{question.id}", f"{code} {question.id}",
                        to_html(box.label), box.values[0],
                        float(box.tolerance or 0.0), feedback))
    return context_html(sheet), out


def context_html(sheet: Worksheet) -> str:
    def givens(row: tuple[Given, ...]) -> str:
        return ", ".join(f"{to_html(g.symbol)} = {to_html(g.value)}" for g in row)

    parts = [f"<p><strong>{to_html(sheet.title)}</strong></p>", "<p>"
             + "<br>".join(to_html(eq) for eq in sheet.equations) + "</p>",
             "<p>Given: " + "<br>".join(givens(row) for row in sheet.givens) + "</p>"]
    for n, sample in enumerate(sheet.samples):
        label = f"Sample {n + 1}: " if len(sheet.samples) > 1 else ""
        parts.append(f"<p>{label}{givens(sample)}</p>")
    return "".join(parts)


def number(value: float) -> str:
    """Shortest text that reads back as the same float (no rounding of the answer)."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


# --------------------------------------------------------------------------- Moodle XML


def _text(parent: ET.Element, tag: str, text: str, html: bool = False) -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": "html"} if html else {})
    ET.SubElement(element, "text").text = text
    return element


def _leaf(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = text


def moodle_xml(exercises: Sequence[Exercise], cloze: bool = False) -> str:
    quiz = ET.Element("quiz")
    category = ET.SubElement(quiz, "question", {"type": "category"})
    _text(category, "category", f"$course$/top/Backprop Tutor/{pool_title(exercises)}")
    for exercise in exercises:
        context, found = items(exercise)
        if cloze:
            _moodle_cloze(quiz, exercise, context, found)
        else:
            for item in found:
                _moodle_numerical(quiz, context, item)
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, "unicode") + "\n"


def _moodle_common(question: ET.Element, name: str, text: str, feedback: str,
                   ident: str) -> None:
    _text(question, "name", name)
    _text(question, "questiontext", text, html=True)
    _text(question, "generalfeedback", feedback, html=True)
    _leaf(question, "defaultgrade", "1")
    _leaf(question, "penalty", "0.3333333")
    _leaf(question, "hidden", "0")
    _leaf(question, "idnumber", ident)


def _moodle_numerical(quiz: ET.Element, context: str, item: Item) -> None:
    question = ET.SubElement(quiz, "question", {"type": "numerical"})
    _moodle_common(question, item.name, f"{context}<p>{item.label} = ?</p>", item.feedback,
                   item.ident)
    answer = ET.SubElement(question, "answer",
                           {"fraction": "100", "format": "moodle_auto_format"})
    _leaf(answer, "text", number(item.value))
    _text(answer, "feedback", "", html=True)
    _leaf(answer, "tolerance", number(item.tolerance))


def _moodle_cloze(quiz: ET.Element, exercise: Exercise, context: str,
                  found: list[Item]) -> None:
    question = ET.SubElement(quiz, "question", {"type": "cloze"})
    blanks = "".join(f"<p>{item.label} = {{1:NUMERICAL:={number(item.value)}:"
                     f"{number(item.tolerance)}}}</p>" for item in found)
    feedback = "<br>".join(item.feedback for item in found)
    _moodle_common(question, _code(exercise), context + blanks, feedback, _code(exercise))


_CLOZE = re.compile(r"\{1:NUMERICAL:=([^:}]+):([^}]+)\}")


def read_moodle(text: str) -> list[Parsed]:
    """Every numerical answer of a Moodle XML file (numerical or cloze questions)."""
    out = []
    for question in ET.fromstring(text).iter("question"):
        kind, ident = question.get("type"), question.findtext("idnumber", "")
        if kind == "numerical":
            answer = question.find("answer")
            out.append(Parsed(ident, float(answer.findtext("text")),
                              float(answer.findtext("tolerance"))))
        elif kind == "cloze":
            body = question.findtext("questiontext/text", "")
            out += [Parsed(f"{ident}#{n}", float(v), float(t))
                    for n, (v, t) in enumerate(_CLOZE.findall(body))]
    return out


# --------------------------------------------------------------------------- QTI 1.2


def _q(tag: str) -> str:
    return f"{{{QTI}}}{tag}"


def _sub(parent: ET.Element, tag: str, attrs: dict[str, str] | None = None,
         text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, _q(tag), attrs or {})
    element.text = text
    return element


def _metadata(parent: ET.Element, fields: dict[str, str]) -> None:
    meta = _sub(parent, "qtimetadata")
    for label, entry in fields.items():
        field = _sub(meta, "qtimetadatafield")
        _sub(field, "fieldlabel", text=label)
        _sub(field, "fieldentry", text=entry)


def _material(parent: ET.Element, html: str) -> None:
    _sub(_sub(parent, "material"), "mattext", {"texttype": "text/html"}, html)


def qti_xml(exercises: Sequence[Exercise], ident: str) -> str:
    ET.register_namespace("", QTI)
    root = ET.Element(_q("questestinterop"))
    assessment = _sub(root, "assessment", {"ident": ident, "title": pool_title(exercises)})
    _metadata(assessment, {"cc_maxattempts": "1"})
    section = _sub(assessment, "section", {"ident": "root_section"})
    for exercise in exercises:
        context, found = items(exercise)
        for item in found:
            _qti_item(section, context, item)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _qti_item(section: ET.Element, context: str, item: Item) -> None:
    element = _sub(section, "item", {"ident": _ident(item.ident), "title": item.name})
    _metadata(_sub(element, "itemmetadata"),
              {"question_type": "numerical_question", "points_possible": "1.0"})
    presentation = _sub(element, "presentation")
    _material(presentation, f"{context}<p>{item.label} = ?</p>")
    response = _sub(presentation, "response_str", {"ident": "response1",
                                                   "rcardinality": "Single"})
    _sub(_sub(response, "render_fib", {"fibtype": "Decimal"}), "response_label",
         {"ident": "answer1"})
    processing = _sub(element, "resprocessing")
    _sub(_sub(processing, "outcomes"), "decvar", {"maxvalue": "100", "minvalue": "0",
                                                  "varname": "SCORE", "vartype": "Decimal"})
    if item.feedback:  # Canvas's own shape: shown whatever the answer, read as general feedback
        always = _sub(processing, "respcondition", {"continue": "Yes"})
        _sub(_sub(always, "conditionvar"), "other")
        _sub(always, "displayfeedback", {"feedbacktype": "Response", "linkrefid": "general_fb"})
    condition = _sub(processing, "respcondition", {"continue": "No"})
    either = _sub(_sub(condition, "conditionvar"), "or")
    low, high = bounds(item.value, item.tolerance)
    _sub(either, "varequal", {"respident": "response1"}, number(item.value))
    within = _sub(either, "and")
    _sub(within, "vargte", {"respident": "response1"}, low)
    _sub(within, "varlte", {"respident": "response1"}, high)
    _sub(condition, "setvar", {"action": "Set", "varname": "SCORE"}, "100")
    if item.feedback:
        feedback = _sub(element, "itemfeedback", {"ident": "general_fb"})
        _material(_sub(feedback, "flow_mat"), item.feedback)


def bounds(value: float, tolerance: float) -> tuple[str, str]:
    """value ∓ tolerance in decimal: Canvas takes the margin as ``varlte − varequal`` in
    BigDecimal, so a float sum (2.0010000000000003) would widen every answer's margin."""
    exact, margin = Decimal(number(value)), Decimal(number(tolerance))
    return _decimal(exact - margin), _decimal(exact + margin)


def _decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _ident(text: str) -> str:
    """An XML name (QTI idents are NMTOKENs; a leading letter keeps every LMS happy)."""
    return "i" + re.sub(r"[^A-Za-z0-9_.-]", "_", text)


def read_qti(text: str) -> list[Parsed]:
    """Every item's answer, the margin taken as Canvas takes it: ``varlte − varequal``."""
    out = []
    for item in ET.fromstring(text).iter(_q("item")):
        either = next(c for c in item.iter(_q("conditionvar")) if c.find(_q("or")) is not None)
        exact = either.findtext(f"{_q('or')}/{_q('varequal')}")
        high = either.findtext(f"{_q('or')}/{_q('and')}/{_q('varlte')}")
        out.append(Parsed(item.get("ident", "")[1:], float(exact),
                          float(Decimal(high) - Decimal(exact))))
    return out


def manifest_xml(ident: str) -> str:
    ET.register_namespace("", CP)
    root = ET.Element(f"{{{CP}}}manifest", {"identifier": f"{ident}_manifest"})
    meta = ET.SubElement(root, f"{{{CP}}}metadata")
    ET.SubElement(meta, f"{{{CP}}}schema").text = "IMS Content"
    ET.SubElement(meta, f"{{{CP}}}schemaversion").text = "1.1.3"
    ET.SubElement(root, f"{{{CP}}}organizations")
    resources = ET.SubElement(root, f"{{{CP}}}resources")
    href = f"{ident}/{ident}.xml"
    resource = ET.SubElement(resources, f"{{{CP}}}resource",
                             {"identifier": ident, "type": "imsqti_xmlv1p2", "href": href})
    ET.SubElement(resource, f"{{{CP}}}file", {"href": href})
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def qti_package(exercises: Sequence[Exercise]) -> bytes:
    """The zip Canvas imports (Settings ▸ Import course content ▸ QTI .zip file)."""
    digest = hashlib.sha256("".join(e.title for e in exercises).encode()).hexdigest()[:16]
    ident = f"bt{digest}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("imsmanifest.xml", manifest_xml(ident)),
                           (f"{ident}/{ident}.xml", qti_xml(exercises, ident))):
            archive.writestr(zipfile.ZipInfo(name, _ZIP_TIME), text.encode("utf-8"),
                             zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def write_lms(exercises: Sequence[Exercise], fmt: str, path: str | os.PathLike[str]) -> None:
    if fmt == "qti":
        data = qti_package(exercises)

        def write(temporary: str) -> None:
            Path(temporary).write_bytes(data)

        replace_atomically(path, write)
    elif fmt in ("moodle", "moodle-cloze"):
        write_atomically(path, moodle_xml(exercises, cloze=fmt == "moodle-cloze"))
    else:
        raise ValueError(f"unknown LMS format {fmt!r}; expected one of {', '.join(LMS_FORMATS)}")
