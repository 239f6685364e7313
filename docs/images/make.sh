#!/usr/bin/env bash
# Regenerates the README screenshots: docs/images/make.sh (from the repository root).
# The window is drawn at 1920×1080 in a virtual X server, grabbed by the app itself
# (python -m tutor FILE --screenshot OUT) and scaled to 1440 wide to keep each PNG small.
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${PYTHON:-.venv/bin/python}
exercises=tutor/resources/exercises
out=docs/images

shot() {  # shot NAME FILE [ARGS...]
    local name=$1 file=$2
    shift 2
    "$python" -m tutor "$exercises/$file" --screenshot "$out/$name.png" --size 1920x1080 "$@"
    convert "$out/$name.png" -resize 1440x -strip -colors 256 "$out/$name.png"
}

if [[ -z ${DISPLAY:-} ]]; then  # no screen: rerun inside a virtual one
    exec xvfb-run -a -s "-screen 0 1920x1080x24" "$0" "$@"
fi
export QT_QPA_PLATFORM=xcb
XDG_CONFIG_HOME=$(mktemp -d)  # a fresh settings profile: default theme and layout
export XDG_CONFIG_HOME
trap 'rm -rf "$XDG_CONFIG_HOME"' EXIT
shot forward cmu-recitation-5.json --step 3          # z₁ = ReLU(a₁) in the forward pass
shot backward cmu-recitation-5.json --step 16        # ∂ℓ/∂α₁,₁ reads cached adjoints
shot training curve-fit-1d.json --train 2000 --step 1   # loss curve beside the fitted f(x)
shot expression-backward cmu-recitation-5-expression.json --step 13  # ∂f/∂z: z → v₃ bends round v₄
"$python" docs/images/classroom_shots.py "$out"      # presentation mode (F5) and a quiz hint
for name in presentation quiz; do
    convert "$out/$name.png" -resize 1440x -strip -colors 256 "$out/$name.png"
done
ls -l "$out"/{forward,backward,expression-backward,training,presentation,quiz}.png
