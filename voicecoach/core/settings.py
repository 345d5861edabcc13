"""How a session runs: the choices a person makes on the command line."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any

HOLD_MIN_SECONDS = 30
HOLD_MAX_SECONDS = 60
"""The seed: hold the knee-to-chest stretch for 30 to 60 seconds."""


class CountStyle(str, Enum):
    """How a hold is counted out loud."""

    EVERY_SECOND = "1"
    EVERY_5 = "5"
    EVERY_10 = "10"
    """Every ten seconds, then the last five counted down."""


class Side(str, Enum):
    LEFT = "left"
    RIGHT = "right"
    BOTH = "both"


@dataclass(frozen=True)
class SessionSettings:
    hold_seconds: int = HOLD_MIN_SECONDS
    """Length of each hold, 30-60 s (the seed's range)."""
    repetitions: int = 1
    """How many times each held exercise is done (per side)."""
    side: Side = Side.BOTH
    """Which side one-sided exercises are done on."""
    count_style: CountStyle = CountStyle.EVERY_5
    """How holds are counted out loud."""
    time_scale: float = 1.0
    """Multiplies every hold and rest; 0.05 runs twenty times faster (demos and tests)."""
    ask_pain_scores: bool = True
    """Ask "from zero to ten, how bad is the pain?" at the start and the end."""

    def __post_init__(self) -> None:
        if not HOLD_MIN_SECONDS <= self.hold_seconds <= HOLD_MAX_SECONDS:
            raise ValueError(
                f"hold length must be {HOLD_MIN_SECONDS}-{HOLD_MAX_SECONDS} seconds "
                f"(got {self.hold_seconds})"
            )
        if not 1 <= self.repetitions <= 10:
            raise ValueError(f"repetitions must be 1-10 (got {self.repetitions})")
        if not 0 < self.time_scale <= 10:
            raise ValueError(f"time scale must be above 0 and at most 10 (got {self.time_scale})")

    def sides(self) -> list[str]:
        return ["left", "right"] if self.side is Side.BOTH else [self.side.value]

    def for_log(self) -> dict[str, Any]:
        values = asdict(self)
        values["side"] = self.side.value
        values["count_style"] = self.count_style.value
        return values
