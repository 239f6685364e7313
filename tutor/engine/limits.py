"""Every size a file or a command may ask for, checked before the work or the allocation.

Generous for teaching, small enough that a small hostile file cannot take gigabytes or hours.
Each refusal names the number that was too large and the limit (docs/exercise-format.md,
"Limits", lists them all).
"""

from __future__ import annotations

# -- the file
MAX_FILE_BYTES = 5 * 1024 * 1024  # an exercise file, a CSV table
MAX_NESTING = 32  # brackets inside brackets in a JSON file (a valid exercise needs 7)
MAX_SCHEMA_ERRORS = 20  # a broken file is described by its first errors, not by all of them
MAX_KEY_LENGTH = 100  # characters in a JSON object key (value and symbol names)
MAX_SHOWN = 60  # characters of a refused value echoed in a message

# -- the network and its data
MAX_LAYER_WIDTH = 1024
MAX_LAYERS = 16
MAX_PARAMETERS = 200_000
MAX_SAMPLES = 10_000

# -- work a command or a window may start
MAX_NODE_TRACE = 6_000  # (parameters + scalar nodes per sample) × traced samples
MAX_LAYER_TRACE = 4_000_000  # parameters × traced samples (each stores its own matrices)
MAX_LAYER_STEPS = 2_000  # traced samples × layers: each is a group of steps to build and print
MAX_UPDATES = 100_000  # training updates in one run
MAX_TRAINING_WORK = 3_000_000_000  # parameters × samples per update × updates
# every update also computes the loss over every sample for the loss curve: parameters ×
# (samples + samples per update) × updates; ~0.08 ns each measured, so ~16 s at the limit
MAX_TRAINING_PASSES = 200_000_000_000
MAX_EXPRESSION_WORK = 1_000_000  # expression graph nodes × updates (pure Python, ~10 µs each)
MAX_MARKUP_DEPTH = 24  # sub/superscripts and derivatives inside each other in markup


class LimitError(ValueError):
    """A size beyond one of the limits above; the message names both numbers."""

    def __init__(self, what: str, value: int, limit: int, advice: str = "") -> None:
        self.what, self.value, self.limit = what, value, limit
        text = f"{what} is {value:,}; the limit is {limit:,}"
        super().__init__(f"{text} ({advice})" if advice else text)


def check(what: str, value: int, limit: int, advice: str = "") -> None:
    """Raise :class:`LimitError` when ``value`` exceeds ``limit``."""
    if value > limit:
        raise LimitError(what, value, limit, advice)


def check_node_trace(parameters: int, nodes_per_sample: int, samples: int) -> None:
    """A node-by-node trace holds a few steps per parameter and per node, for every sample."""
    check("the node-by-node trace's size (parameters and nodes × traced samples)",
          (parameters + nodes_per_sample) * max(samples, 1), MAX_NODE_TRACE,
          "use the layer granularity or fewer samples per update")


def check_layer_trace(parameters: int, samples: int, layers: int) -> None:
    """A layer-by-layer trace stores each sample's gradient matrices, and holds a group of
    steps per sample and layer (a 1-100-1 network over 10,000 samples took 37 s to solve
    and over a minute to write as a key, well inside the size cap)."""
    samples = max(samples, 1)
    check("the layer-by-layer trace's size (parameters × traced samples)",
          parameters * samples, MAX_LAYER_TRACE,
          "use fewer samples per update (SGD or mini-batches) or a smaller network")
    check(f"the layer-by-layer trace's length ({samples:,} traced samples × {layers:,} "
          "layers)", samples * layers, MAX_LAYER_STEPS,
          "use fewer samples per update (SGD or mini-batches) or fewer layers")


def check_training(parameters: int, rows_per_update: int, updates: int,
                   samples: int = 0) -> None:
    """Training time grows with parameters × samples per update × updates, and with the
    pass over all ``samples`` each update makes for the loss curve (an SGD update on one
    of 500 samples still evaluates all 500)."""
    check("the number of updates", updates, MAX_UPDATES)
    check("the training work (parameters × samples per update × updates)",
          parameters * max(rows_per_update, 1) * updates, MAX_TRAINING_WORK,
          "train fewer updates, on fewer samples per update or a smaller network")
    check("the training work with the loss curve (parameters × (samples + samples per "
          "update) × updates)", parameters * (samples + max(rows_per_update, 1)) * updates,
          MAX_TRAINING_PASSES, "train fewer updates, on fewer samples or a smaller network")


def check_expression_training(nodes: int, updates: int) -> None:
    """An expression trains in pure Python: time grows with graph nodes × updates."""
    check("the number of updates", updates, MAX_UPDATES)
    check("the training work (graph nodes × updates)", nodes * updates, MAX_EXPRESSION_WORK,
          "train fewer updates or a smaller expression")
