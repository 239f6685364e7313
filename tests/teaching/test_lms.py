"""LMS exports validate against the formats' schemas and read back to every question's answer."""

import io
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import xmlschema

from tutor.engine import Key, Quantity
from tutor.exercise import bundled, load
from tutor.teaching.library import bundled_templates
from tutor.teaching.lms import (
    manifest_xml,
    moodle_xml,
    qti_package,
    qti_xml,
    read_moodle,
    read_qti,
    write_lms,
)
from tutor.teaching.template import load_template
from tutor.teaching.variants import make_variants

SCHEMAS = Path(__file__).parent / "schemas"


@pytest.fixture(scope="module")
def moodle_schema():
    return xmlschema.XMLSchema11(SCHEMAS / "moodle_quiz.xsd")


@pytest.fixture(scope="module")
def qti_schema():
    return xmlschema.XMLSchema(SCHEMAS / "qti_asi_v1p2.xsd")


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
    assert [p.tolerance for p in parsed] == pytest.approx([t for _, t in _expected(exercises)])


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
