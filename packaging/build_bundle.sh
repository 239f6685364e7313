#!/usr/bin/env bash
# Builds a standalone one-folder bundle of Backprop Tutor for people who cannot install Python
# packages: dist/backprop-tutor/ holds the program, Python and Qt; start it with
# dist/backprop-tutor/backprop-tutor (the command-line commands work there too).
#
#   packaging/build_bundle.sh            # build, then smoke-test the bundle offscreen
#   PYTHON=python3.12 packaging/build_bundle.sh
#
# It installs the project (not editable) and PyInstaller into a throwaway environment under
# build/bundle, freezes packaging/launcher.py with the exercises, schema, icon and help pages
# collected from the installed package, and checks that the result lists the exercises and
# screenshots the default one without a display. The same script builds a Windows or macOS
# bundle when run there (Git Bash on Windows); PyInstaller does not cross-compile.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
work=build/bundle
bundle=dist/backprop-tutor
started=$SECONDS

rm -rf "$work" "$bundle" build/lib  # build/lib: setuptools would reuse stale copies
"$python" -m venv "$work/venv"
venv_bin="$work/venv/bin"
[ -d "$venv_bin" ] || venv_bin="$work/venv/Scripts"
"$venv_bin/python" -m pip install --quiet . "pyinstaller>=6.10"
"$venv_bin/python" -m PyInstaller --noconfirm --clean --log-level WARN --onedir \
  --name backprop-tutor --distpath dist --workpath "$work/pyinstaller" --specpath "$work" \
  --collect-data tutor --collect-submodules tutor \
  --exclude-module tkinter --exclude-module PyQt5 --exclude-module PyQt6 \
  --exclude-module PySide2 \
  packaging/launcher.py
built=$((SECONDS - started))

# Smoke test: the bundle runs without the build environment and without a display.
smoke=$(mktemp -d)
trap 'rm -rf "$smoke"' EXIT
program=$(pwd)/$bundle/backprop-tutor
(
  cd "$smoke"
  export QT_QPA_PLATFORM=offscreen XDG_CONFIG_HOME="$smoke/config" PYTHONNOUSERSITE=1
  unset PYTHONPATH VIRTUAL_ENV
  "$program" --version
  "$program" list > list.txt
  "$program" solve cmu-recitation-5 > solve.txt
  "$program" --screenshot shot.png --size 1280x720 2> stderr.txt
  # Qt's offscreen platform notes what it cannot do; a missing file or an error is fatal
  if grep -Ei "missing|error|traceback" stderr.txt >&2; then exit 1; fi
  [ "$(wc -l < list.txt)" -ge 10 ] && grep -q "backward" solve.txt && [ -s shot.png ]
)
[ -z "${BUNDLE_SHOT:-}" ] || cp "$smoke/shot.png" "$BUNDLE_SHOT"
echo "Built $bundle in ${built} s: $(du -sh "$bundle" | cut -f1), $(find "$bundle" -type f | wc -l) files; smoke test passed"
