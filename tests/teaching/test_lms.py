"""LMS exports validate against the formats' schemas and read back to every question's answer.

QTI files are validated against IMS's QTI 1.2 ASI schema (schemas/ims_qtiasiv1p2.xsd, see
schemas/README.md for where it comes from and its licence); Moodle files are read the way
Moodle's importer reads them (moodle_import.py), besides the subset schema written here.
"""

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import xmlschema

from tutor.engine import Key, Quantity
from tutor.exercise import bundled, load
from tutor.teaching.library import bundled_templates
from tutor.teaching.lms import (
    bounds,
    manifest_xml,
    moodle_xml,
    pool_title,
    qti_package,
    qti_xml,
    read_moodle,
    read_qti,
    write_lms,
)
from tutor.teaching.template import load_template
from tutor.teaching.variants import make_variants

from .moodle_import import MoodleImportError, is_valid_number, moodle_import

SCHEMAS = Path(__file__).parent / "schemas"


@pytest.fixture(scope="module")
def moodle_schema():
    return xmlschema.XMLSchema11(SCHEMAS / "moodle_quiz.xsd")


@pytest.fixture(scope="module")
def qti_schema():
    return xmlschema.XMLSchema(SCHEMAS / "ims_qtiasiv1p2.xsd")


def _pools():
    """Every bundled template's variants, and every bundled exercise that has questions."""
    pools = {name: [v.exercise for v in make_variants(load_template(path), 4, seed=3)]
             for name, path in bundled_templates().items()}
    pools.update({b.name: [load(b.path)] for b in bundled() if load(b.path).questions})
    return pools


POOLS = _pools()


def _expected(exercises):
    """(value, tolerance) of every question, straight from each exercise's trace."""
    out = []
    for exercise in exercises:
        trace = exercise.problem.trace("node")
        for q in exercise.questions:
            step = trace.find(Key(Quantity(q.quantity), q.node, q.sample))
            out.append((float(step.result), q.tolerance))
    return out


@pytest.mark.parametrize("name", sorted(POOLS))
def test_moodle_numerical_validates_and_round_trips(name, moodle_schema):
    exercises = POOLS[name]
    text = moodle_xml(exercises)
    moodle_schema.validate(text)
    parsed = read_moodle(text)
    assert [(p.value, p.tolerance) for p in parsed] == _expected(exercises)
    assert len({p.ident for p in parsed}) == len(parsed)


@pytest.mark.parametrize("name", sorted(POOLS))
def test_moodle_cloze_validates_and_round_trips(name, moodle_schema):
    exercises = POOLS[name]
    text = moodle_xml(exercises, cloze=True)
    moodle_schema.validate(text)
    root = ET.fromstring(text)
    assert len(root.findall("question[@type='cloze']")) == len(exercises)
    assert [(p.value, p.tolerance) for p in read_moodle(text)] == _expected(exercises)


@pytest.mark.parametrize("name", sorted(POOLS))
def test_qti_validates_and_round_trips(name, qti_schema):
    exercises = POOLS[name]
    text = qti_xml(exercises, "pool")
    qti_schema.validate(text)
    parsed = read_qti(text)
    assert [p.value for p in parsed] == [v for v, _ in _expected(exercises)]
    # the margin Canvas computes (varlte − varequal in decimal) is the tolerance, exactly
    assert [p.tolerance for p in parsed] == [t for _, t in _expected(exercises)]


def test_the_schemas_have_teeth(moodle_schema, qti_schema):
    exercises = POOLS["cmu-recitation-5"]
    broken = moodle_xml(exercises).replace("<tolerance>0.001", "<tolerance>-0.001", 1)
    assert not moodle_schema.is_valid(broken)
    broken = moodle_xml(exercises).replace("<penalty>0.3333333</penalty>",
                                           "<penalti>0.3333333</penalti>", 1)
    assert not moodle_schema.is_valid(broken)
    broken = qti_xml(exercises, "pool").replace('fibtype="Decimal"', 'fibtype="Float"', 1)
    assert not qti_schema.is_valid(broken)
    broken = qti_xml(exercises, "pool").replace("<varequal", "<varequals", 1).replace(
        "</varequal>", "</varequals>", 1)
    assert not qti_schema.is_valid(broken)


def test_the_qti_package_holds_a_manifest_and_the_assessment(qti_schema, tmp_path):
    exercises = POOLS["inf264-homework-4"]
    data = qti_package(exercises)
    assert data == qti_package(exercises)  # bit-identical: fixed timestamps and idents
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names[0] == "imsmanifest.xml" and len(names) == 2
        manifest = ET.fromstring(archive.read("imsmanifest.xml"))
        href = manifest.find(".//{*}resource").get("href")
        assert href == names[1]
        assessment = archive.read(href).decode("utf-8")
    qti_schema.validate(assessment)
    assert len(read_qti(assessment)) == 7 * len(exercises)
    write_lms(exercises, "qti", tmp_path / "pool.zip")
    assert (tmp_path / "pool.zip").read_bytes() == data


def test_manifest_names_a_qti_resource():
    root = ET.fromstring(manifest_xml("bt1"))
    resource = root.find(".//{*}resource")
    assert resource.get("type") == "imsqti_xmlv1p2" and resource.get("identifier") == "bt1"


def test_an_exercise_without_questions_is_refused():
    xor = load(next(b.path for b in bundled() if b.name == "xor"))
    with pytest.raises(ValueError, match="no questions"):
        moodle_xml([xor])


@pytest.mark.parametrize("name", sorted(POOLS))
def test_moodles_importer_reads_every_numerical_answer(name):
    exercises = POOLS[name]
    imported = moodle_import(moodle_xml(exercises))
    assert all(q.qtype == "numerical" and q.category.endswith(pool_title(exercises))
               for q in imported)
    assert [q.answers for q in imported] == [[(v, 100.0, t)] for v, t in _expected(exercises)]


@pytest.mark.parametrize("name", sorted(POOLS))
def test_moodles_cloze_parser_finds_every_blank(name):
    exercises = POOLS[name]
    imported = moodle_import(moodle_xml(exercises, cloze=True))
    assert len(imported) == len(exercises)
    answers = [a for q in imported for a in q.answers]
    assert answers == [(v, 100.0, t) for v, t in _expected(exercises)]


def test_the_importer_mirror_has_teeth():
    text = moodle_xml(POOLS["cmu-recitation-5"])
    assert moodle_import(text)
    number = re.search(r"<answer [^>]*>\s*<text>([^<]*)</text>", text).group(1)
    broken = {
        "outside <text>": text.replace(f"<text>{number}</text>", number, 1),
        "not a number Moodle accepts": text.replace(f"<text>{number}</text>",
                                                    f"<text>{number} m</text>", 1),
        "xmlimportnoname": re.sub(r"<name>\s*<text>[^<]*</text>", "<name><text></text>", text,
                                  count=1),
        "fractionsnomax": text.replace('fraction="100"', 'fraction="90"', 1),
        "tolerance": text.replace("<tolerance>0.001", "<tolerance>a", 1),
    }
    for words, bad in broken.items():
        with pytest.raises(MoodleImportError, match=words):
            moodle_import(bad)
    cloze = moodle_xml(POOLS["cmu-recitation-5"], cloze=True)
    with pytest.raises(MoodleImportError, match="fractionsnomax"):
        moodle_import(cloze.replace("{1:NUMERICAL:=", "{1:NUMERICAL:", 1))
    with pytest.raises(MoodleImportError, match="not a number"):
        moodle_import(cloze.replace("{1:NUMERICAL:=", "{1:NUMERICAL:=x", 1))


@pytest.mark.parametrize(("text", "valid"), [
    ("12", True), ("-0.5", True), ("1e-05", True), ("1.4999999999999998", True),
    ("2,5", True), ("nan", False), ("inf", False), ("3 m", False), ("", False),
])
def test_moodles_number_check(text, valid):
    assert is_valid_number(text) is valid


def test_bounds_are_decimal_so_canvas_gets_the_tolerance_exactly():
    assert bounds(2.0, 0.001) == ("1.999", "2.001")
    assert bounds(-0.5, 0.001) == ("-0.501", "-0.499")
    assert bounds(0.1 + 0.2, 0.001) == ("0.29900000000000004", "0.30100000000000004")
    assert bounds(2.3, 0.001) == ("2.299", "2.301")
    assert 2.3 + 0.001 == 2.3009999999999997  # what a float sum would have written


def test_the_qti_package_is_what_canvas_imports():
    """Canvas (Import course content ▸ QTI .zip file) reads imsmanifest.xml, follows each
    resource of type imsqti_xmlv1p2 to its file, and takes the question type from the item's
    question_type metadata (numerical_question, with points_possible)."""
    exercises = POOLS["inf264-homework-4"]
    with zipfile.ZipFile(io.BytesIO(qti_package(exercises))) as archive:
        manifest = ET.fromstring(archive.read("imsmanifest.xml"))
        assert manifest.tag == "{http://www.imsglobal.org/xsd/imscp_v1p1}manifest"
        resources = manifest.findall(".//{*}resources/{*}resource")
        assert [r.get("type") for r in resources] == ["imsqti_xmlv1p2"]
        files = [f.get("href") for f in resources[0].findall("{*}file")]
        assert files == [resources[0].get("href")] and files[0] in archive.namelist()
        root = ET.fromstring(archive.read(files[0]))
    assert root.tag == "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}questestinterop"
    items = root.findall(".//{*}section/{*}item")
    assert len(items) == 7 * len(exercises)
    for item in items:
        fields = {f.findtext("{*}fieldlabel"): f.findtext("{*}fieldentry")
                  for f in item.findall("{*}itemmetadata/{*}qtimetadata/{*}qtimetadatafield")}
        assert fields == {"question_type": "numerical_question", "points_possible": "1.0"}
        fib = item.find("{*}presentation/{*}response_str/{*}render_fib")
        assert fib.get("fibtype") == "Decimal"
        conditions = item.findall("{*}resprocessing/{*}respcondition")
        # general feedback first, shown whatever the answer (ident general_fb: Canvas's
        # neutral comments), then the scoring condition
        assert [c.get("continue") for c in conditions] == ["Yes", "No"]
        assert conditions[0].find("{*}conditionvar/{*}other") is not None
        assert item.find("{*}itemfeedback").get("ident") == "general_fb"
        assert conditions[1].findtext("{*}setvar") == "100"
