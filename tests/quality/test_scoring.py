"""The result rules on tables computed by hand (docs/domain.md §12)."""

from decimal import Decimal

import pytest

from opora.quality import scoring
from opora.quality.scoring import Rule

SIX = [Rule(key=i, scale_max=2, weight=Decimal(1), is_knock_out=(i == 2)) for i in range(1, 7)]


def sheet(*values):
    return dict(zip(range(1, 7), values, strict=True))


def test_mean_of_three_experts_weighted_percentage():
    # given criteria weighted 3 and 1 on scales 0–10 and 0–2
    rules = [Rule(1, 10, Decimal(3)), Rule(2, 2, Decimal(1))]
    sheets = [{1: 8, 2: 2}, {1: 7, 2: 1}, {1: 9, 2: 2}]
    # means 8 and 5/3; earned 3×8 + 1×5/3 = 25.667 of 3×10 + 1×2 = 32 → 80.2 %
    result = scoring.aggregate(rules, sheets, Decimal(70), Decimal(50))
    assert result.means == {1: Decimal("8.00"), 2: Decimal("1.67")}
    assert result.percent == Decimal("80.2")
    assert result.decision == scoring.PASSED


@pytest.mark.parametrize(("sheets", "percent", "decision"), [
    ([sheet(2, 2, 2, 2, 2, 2)] * 3, Decimal("100.0"), "passed"),
    # 9 of 12 = 75 %
    ([sheet(2, 2, 1, 1, 2, 1)] * 3, Decimal("75.0"), "passed"),
    # 10 of 12 and 7 of 12 and 8 of 12: 25 of 36 = 69.4 % — just under the pass threshold
    ([sheet(2, 2, 2, 2, 1, 1), sheet(1, 1, 1, 2, 1, 1), sheet(1, 2, 1, 2, 1, 1)], Decimal("69.4"), "revise"),
    # 6 of 12 = 50 % exactly: revise
    ([sheet(1, 1, 1, 1, 1, 1)] * 3, Decimal("50.0"), "revise"),
    # 5 of 12 = 41.7 %
    ([sheet(1, 1, 1, 1, 1, 0)] * 3, Decimal("41.7"), "failed"),
])
def test_thresholds(sheets, percent, decision):
    result = scoring.aggregate(SIX, sheets, Decimal(70), Decimal(50))
    assert (result.percent, result.decision) == (percent, decision)


def test_knock_out_zero_by_most_experts_fails_whatever_the_percentage():
    sheets = [sheet(2, 0, 2, 2, 2, 2), sheet(2, 0, 2, 2, 2, 2), sheet(2, 2, 2, 2, 2, 2)]
    result = scoring.aggregate(SIX, sheets, Decimal(70), Decimal(50))
    assert result.percent == Decimal("88.9")
    assert result.knocked_out is True
    assert result.decision == scoring.FAILED


def test_one_zero_of_three_on_a_knock_out_criterion_does_not_exclude():
    sheets = [sheet(2, 0, 2, 2, 2, 2), sheet(2, 2, 2, 2, 2, 2), sheet(2, 2, 2, 2, 2, 2)]
    result = scoring.aggregate(SIX, sheets, Decimal(70), Decimal(50))
    assert result.knocked_out is False
    assert result.decision == scoring.PASSED


def test_a_zero_on_an_ordinary_criterion_is_only_points():
    result = scoring.aggregate(SIX, [sheet(0, 2, 2, 2, 2, 2)] * 3, Decimal(70), Decimal(50))
    assert (result.percent, result.decision, result.knocked_out) == (Decimal("83.3"), "passed", False)


def test_wide_spread_names_the_criteria_apart_by_more_than_the_limit():
    sheets = [sheet(2, 2, 2, 2, 2, 2), sheet(0, 1, 2, 2, 2, 2), sheet(2, 2, 2, 2, 2, 1)]
    assert scoring.wide_spread(SIX, sheets, Decimal(1)) == [1]
    assert scoring.wide_spread(SIX, sheets, Decimal(2)) == []
    assert scoring.wide_spread(SIX, sheets, Decimal(0)) == [1, 2, 6]
