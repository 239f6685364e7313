"""Command-line commands for the teaching staff: variants, worksheets and LMS exports.

    backprop-tutor variants TEMPLATE --count N [--seed S] -o DIR [--keys md,tex,html]
                            [--worksheets pdf,tex] [--lms moodle,moodle-cloze,qti]
    backprop-tutor variant TEMPLATE CODE [-o DIR]  (the same files as ``variants`` wrote)
    backprop-tutor worksheet FILE -o OUT.pdf|OUT.tex [--phase forward|backward|update]
    backprop-tutor lms FILE... --format moodle|moodle-cloze|qti -o OUT

TEMPLATE is a template file or a bundled template's name (``backprop-tutor variants
cmu-recitation-5 …``).  Registered from ``tutor/cli.py``, which also hands in the PDF
writer (``tutor/ui/worksheet_pdf.py``, loaded only when a PDF is asked for): this package
never imports Qt or the UI itself.
"""

from __future__ import annotations

import argparse
import csv
import io
import secrets
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

from tutor.exercise import Exercise, load
from tutor.exercise.atomic import write_atomically

from .answer_key import answer_key
from .library import template_path
from .lms import LMS_FORMATS, write_lms
from .template import Template, load_template
from .variants import Variant, distinct, make_variant, make_variants
from .worksheet import PHASES, worksheet, worksheet_latex

COMMANDS = ("variants", "variant", "worksheet", "lms")
KEY_SUFFIXES = {"md": "markdown", "tex": "latex", "html": "html"}
MAX_VARIANTS = 10_000
EXIT_BAD_INPUT = 2

PdfLoader = Callable[[], ModuleType]  # returns a module with write_pdf and write_key_pdf


def add_parsers(commands: argparse._SubParsersAction) -> None:
    many = commands.add_parser("variants", help="write N variants of a template with their "
                                                "answer keys and a roster")
    many.add_argument("template", help="a template file or a bundled template's name")
    many.add_argument("--count", type=_count, required=True, metavar="N")
    many.add_argument("--seed", type=_seed, metavar="S",
                      help="the master seed (default: a fresh one, printed)")
    _output_options(many, required=True)
    one = commands.add_parser("variant", help="regenerate the variant of a code")
    one.add_argument("template")
    one.add_argument("code")
    _output_options(one, required=False)
    sheet = commands.add_parser("worksheet", help="a student worksheet (PDF or LaTeX) and "
                                                  "its key")
    sheet.add_argument("file")
    sheet.add_argument("-o", "--output", required=True, metavar="OUT.pdf|OUT.tex")
    sheet.add_argument("--phase", choices=PHASES,
                       help="ask every step of this phase instead of the exercise's questions")
    lms = commands.add_parser("lms", help="export exercises' questions for Moodle or Canvas")
    lms.add_argument("files", nargs="+", metavar="FILE")
    lms.add_argument("--format", choices=LMS_FORMATS, required=True)
    lms.add_argument("-o", "--output", required=True, metavar="OUT")


def _output_options(parser: argparse.ArgumentParser, required: bool) -> None:
    parser.add_argument("-o", "--output", required=required, metavar="DIR")
    parser.add_argument("--keys", type=_choices(KEY_SUFFIXES), default=["md", "tex", "html"],
                        help="answer key formats, comma-separated (md, tex, html)")
    parser.add_argument("--worksheets", type=_choices(("pdf", "tex")), default=[],
                        help="also write student worksheets (pdf, tex)")
    parser.add_argument("--lms", type=_choices(LMS_FORMATS), default=[],
                        help="also write the pool for an LMS (moodle, moodle-cloze, qti)")


def _choices(allowed: Sequence[str]) -> Callable[[str], list[str]]:
    def parse(text: str) -> list[str]:
        chosen = [c.strip() for c in text.split(",") if c.strip()]
        wrong = [c for c in chosen if c not in allowed]
        if wrong:
            raise argparse.ArgumentTypeError(f"unknown {wrong[0]!r}; choose from "
                                             f"{', '.join(allowed)}")
        return chosen
    return parse


def _count(text: str) -> int:
    value = int(text)
    if not 1 <= value <= MAX_VARIANTS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_VARIANTS}")
    return value


def _seed(text: str) -> int:
    value = int(text)
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError("must be a non-negative integer")
    return value


def run(options: argparse.Namespace, pdf: PdfLoader) -> int:
    """Run one of :data:`COMMANDS`; ExerciseError propagates to the CLI's handler."""
    try:
        match options.command:
            case "variants":
                return _variants(options, pdf)
            case "variant":
                return _variant(options, pdf)
            case "worksheet":
                return _worksheet(options, pdf)
            case "lms":
                write_lms([load(f) for f in options.files], options.format, options.output)
                return 0
    except ValueError as error:  # a bad code; ExerciseError is handled by the caller
        if type(error) is not ValueError:
            raise
        print(f"backprop-tutor: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:
        print(f"{error.filename or ''}: cannot write: {error.strerror or error}",
              file=sys.stderr)
        return 1
    raise AssertionError(options.command)


def _template(name: str) -> Template:
    return load_template(template_path(name))


def _variants(options: argparse.Namespace, pdf: PdfLoader) -> int:
    template = _template(options.template)
    seed = options.seed if options.seed is not None else secrets.randbelow(2**31)
    variants = make_variants(template, options.count, seed)
    folder = Path(options.output)
    folder.mkdir(parents=True, exist_ok=True)
    rows = [write_variant(v, folder, options.keys, options.worksheets, pdf) for v in variants]
    write_atomically(folder / "roster.csv", roster_csv(rows))
    for fmt in options.lms:
        write_lms([v.exercise for v in variants], fmt, folder / lms_name(fmt))
    print(f"{len(variants)} variants of {options.template} (seed {seed}) in {folder}")
    unique = distinct(variants)
    if unique < len(variants):
        print(f"note: only {unique} of the {len(variants)} variants have different numbers; "
              f"widen the template's ranges for more", file=sys.stderr)
    return 0


def _variant(options: argparse.Namespace, pdf: PdfLoader) -> int:
    variant = make_variant(_template(options.template), options.code)
    if options.output is None:
        sys.stdout.write(variant.text)
        return 0
    folder = Path(options.output)
    folder.mkdir(parents=True, exist_ok=True)
    write_variant(variant, folder, options.keys, options.worksheets, pdf)
    for fmt in options.lms:
        write_lms([variant.exercise], fmt, folder / f"{variant.code}.{lms_name(fmt)}")
    print(f"variant {variant.code} in {folder}")
    return 0


def lms_name(fmt: str) -> str:
    return {"moodle": "moodle.xml", "moodle-cloze": "moodle-cloze.xml", "qti": "qti.zip"}[fmt]


def write_variant(variant: Variant, folder: Path, keys: Sequence[str],
                  worksheets: Sequence[str] = (), pdf: PdfLoader | None = None
                  ) -> dict[str, str]:
    """The exercise, its keys (teacher's copies) and worksheets; returns the roster row."""
    row = {"code": variant.code, "exercise": f"{variant.code}.json"}
    write_atomically(folder / row["exercise"], variant.text)
    for suffix in keys:
        name = f"{variant.code}.key.{suffix}"
        write_atomically(folder / name,
                         answer_key(variant.exercise, KEY_SUFFIXES[suffix], reveal_hidden=True))
        row[f"key_{suffix}"] = name
    for suffix in worksheets:
        name = f"{variant.code}.sheet.{suffix}"
        write_sheet(variant.exercise, folder / name, pdf=pdf)
        row[f"sheet_{suffix}"] = name
    return row


def roster_csv(rows: Sequence[dict[str, str]]) -> str:
    columns = list(dict.fromkeys(c for row in rows for c in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write_sheet(exercise: Exercise, path: Path, phase: str | None = None,
                pdf: PdfLoader | None = None) -> None:
    sheet = worksheet(exercise, phase)
    if path.suffix == ".pdf":
        if pdf is None:
            raise ValueError("PDF worksheets need the desktop app's libraries")
        pdf().write_pdf(sheet, path)
    else:
        write_atomically(path, worksheet_latex(sheet))


def _worksheet(options: argparse.Namespace, pdf: PdfLoader) -> int:
    out = Path(options.output)
    if out.suffix not in (".pdf", ".tex"):
        raise ValueError(f"{out}: the worksheet is written as .pdf or .tex")
    exercise = load(options.file)
    write_sheet(exercise, out, options.phase, pdf)
    key = out.with_name(f"{out.stem}-key{out.suffix}")
    if out.suffix == ".pdf":
        pdf().write_key_pdf(exercise, key)
    else:
        write_atomically(key, answer_key(exercise, "latex", reveal_hidden=True))
    print(f"worksheet {out}, key {key}")
    return 0
