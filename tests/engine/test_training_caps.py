"""Training work is refused before it starts, with the number that was too large."""

from __future__ import annotations

import pytest

from tutor.engine.limits import MAX_TRAINING_PASSES, LimitError, check_training


def test_sgd_over_many_samples_counts_the_loss_curves_pass_over_all_of_them():
    # a 1-100-100-1 network (10,401 parameters) by SGD on 500 samples: one row per update,
    # but every update's loss curve point evaluates all 500 (44 CPU s for 100,000 updates)
    check_training(10_401, 1, 38_000, samples=500)  # ≈ 16 s: allowed
    with pytest.raises(LimitError) as refused:
        check_training(10_401, 1, 100_000, samples=500)
    assert "521,090,100,000" in str(refused.value)
    assert f"{MAX_TRAINING_PASSES:,}" in str(refused.value)


def test_the_sheets_trainings_stay_far_below_the_caps():
    check_training(9, 2, 100_000, samples=2)  # INF264: 100,000 updates of 5 weights and more
    check_training(101_770, 64, 400, samples=64)  # 784-128-10, batch GD
