"""What the apply page tells a parent about each child before they submit, from apps
above enrollment (financing: a group paid only by certificate needs one, and the parent
may ask for it on the spot). Enrollment knows nothing of certificates; an app registers
a hook in its ``ready()``.
"""

from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class Notice:
    text: str
    # A POST offered on the spot (a form with one button), or none.
    action_url: str = ""
    action_label: str = ""


# Called as ``hook(group, children)``; returns ``{child_pk: Notice}`` for the children
# the hook has something to say about. Hooks only read.
apply_notices: list = []


def for_children(group, children) -> dict[int, list[Notice]]:
    notices = defaultdict(list)
    for hook in apply_notices:
        for child_pk, notice in hook(group, children).items():
            notices[child_pk].append(notice)
    return dict(notices)
