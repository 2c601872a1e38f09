"""The rules of an assessment's result as plain functions (docs/domain.md §12), with no
database, so they can be tested on tables computed by hand.

- Each criterion's value is the mean of the experts' scores of it.
- The percentage is Σ(weight × mean) ÷ Σ(weight × scale maximum) × 100, rounded half up
  to one decimal.
- A knock-out criterion scored 0 by more than half of the experts fails the program
  whatever its percentage.
- Otherwise the thresholds decide: percentage ≥ pass threshold — passed; ≥ revise
  threshold — revise; below — failed.
- Spread: when two experts' scores of one criterion differ by more than the campaign's
  limit, one more expert is asked before the result is computed.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PASSED, REVISE, FAILED = "passed", "revise", "failed"
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Rule:
    """One criterion of a set: its key, the top of its scale, its weight, knock-out."""

    key: int
    scale_max: int
    weight: Decimal
    is_knock_out: bool = False


@dataclass(frozen=True)
class Result:
    means: dict  # key -> Decimal mean (two decimals)
    percent: Decimal
    decision: str
    knocked_out: bool


def wide_spread(rules: list[Rule], sheets: list[dict], limit: Decimal) -> list[int]:
    """Keys of the criteria on which two sheets differ by more than ``limit``."""
    wide = []
    for rule in rules:
        values = [sheet[rule.key] for sheet in sheets if rule.key in sheet]
        if values and max(values) - min(values) > limit:
            wide.append(rule.key)
    return wide


def aggregate(rules: list[Rule], sheets: list[dict], pass_threshold: Decimal,
              revise_threshold: Decimal) -> Result:
    """The result of one program from the experts' sheets (``{key: score}`` each)."""
    if not sheets or not rules:
        raise ValueError("an assessment needs criteria and at least one sheet")
    means, earned, possible, knocked_out = {}, Decimal(0), Decimal(0), False
    for rule in rules:
        values = [Decimal(sheet[rule.key]) for sheet in sheets]
        mean = sum(values) / len(values)
        means[rule.key] = mean.quantize(Decimal("0.01"), ROUND_HALF_UP)
        earned += rule.weight * mean
        possible += rule.weight * rule.scale_max
        zeros = sum(1 for value in values if value == 0)
        if rule.is_knock_out and zeros * 2 > len(values):
            knocked_out = True
    percent = (earned / possible * HUNDRED).quantize(Decimal("0.1"), ROUND_HALF_UP)
    if knocked_out:
        decision = FAILED
    elif percent >= pass_threshold:
        decision = PASSED
    elif percent >= revise_threshold:
        decision = REVISE
    else:
        decision = FAILED
    return Result(means=means, percent=percent, decision=decision, knocked_out=knocked_out)
