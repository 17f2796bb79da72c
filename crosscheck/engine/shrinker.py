"""One shrinker for every kind of case: a value, a predicate, named passes, a budget of tries.

In the manner of Hypothesis's ``Shrinker(initial, predicate)`` (``internal/conjecture/
shrinking/common.py``, ``shrinker.py``): the shrinker holds the current value, which always
satisfies the predicate ("still fails the same way"), and asks a list of named passes for
simpler candidates. "Simpler" is defined once, by ``sort_key``: a candidate is tried only
when its key is strictly below the current one, so no pass can make a value bigger and the
search always ends. The first candidate the predicate accepts becomes the current value and
the search starts again from the first pass (greedy, first improvement); it stops when a
whole round of passes gives nothing, or when ``max_tries`` predicate calls have been made.

The budget counts tries (predicate calls), never seconds: the same initial value and the same
answers from the predicate give the same result on an idle or a loaded machine. A predicate
that cannot go on (a re-run hung, a process died) raises :class:`StopShrinking`; that try is
counted and the search ends with the value it had.

A pass is a :class:`Pass`: a name (shown in reports and tests) and a function from the
current value to candidates, cheapest first. Passes propose; only the predicate decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

__all__ = ["Pass", "Shrinker", "Shrunk", "StopShrinking", "shrink"]

T = TypeVar("T")


class StopShrinking(Exception):  # noqa: N818 - a signal, not an error
    """Raised by a predicate that must not be called again (the re-run hung or crashed)."""


@dataclass(frozen=True)
class Pass(Generic[T]):
    """A named way to propose simpler values: ``propose(value)`` yields candidates."""

    name: str
    propose: Callable[[T], Iterable[T]]


@dataclass(frozen=True)
class Shrunk(Generic[T]):
    """What a shrink found: the smallest value accepted, how it got there and why it stopped.

    ``steps`` are the accepted candidates, ``tries`` the predicate calls, ``passes`` the name
    of the pass behind each accepted step, in order; ``stopped`` is ``"done"`` (a whole round
    gave nothing), ``"budget"`` (``max_tries`` calls made) or ``"stopped"`` (the predicate
    raised :class:`StopShrinking`)."""

    value: T
    steps: int
    tries: int
    passes: tuple[str, ...]
    stopped: str


class Shrinker(Generic[T]):
    """Shrink ``initial`` (which satisfies ``predicate``) with ``passes`` under ``sort_key``,
    making at most ``max_tries`` predicate calls. :meth:`shrink` runs it once."""

    def __init__(self, initial: T, predicate: Callable[[T], bool], passes: Sequence[Pass],
                 *, sort_key: Callable[[T], Any], max_tries: int) -> None:
        if max_tries < 0:
            raise ValueError(f"max_tries wants a count >= 0, got {max_tries!r}")
        names = [p.name for p in passes]
        if len(set(names)) != len(names):
            raise ValueError(f"pass names must differ, got {names}")
        self.initial = initial
        self.current = initial
        self.predicate = predicate
        self.passes = tuple(passes)
        self.sort_key = sort_key
        self.max_tries = max_tries
        self.tries = 0
        self.accepted: list[str] = []

    def left_is_better(self, left: T, right: T) -> bool:
        """Whether ``left`` is strictly simpler than ``right``: the one definition."""
        return self.sort_key(left) < self.sort_key(right)

    def consider(self, candidate: T) -> bool:
        """Try ``candidate`` when it is simpler than the current value: one predicate call,
        and True (it becomes the current value) when the predicate accepts it. Every True
        answer of the predicate is thus an accepted step."""
        if not self.left_is_better(candidate, self.current):
            return False
        if self.tries >= self.max_tries:
            raise _OutOfTries
        self.tries += 1
        if self.predicate(candidate):
            self.current = candidate
            return True
        return False

    def run_pass(self, p: Pass) -> bool:
        """One pass over the current value: True at the first candidate accepted."""
        for candidate in p.propose(self.current):
            if self.consider(candidate):
                self.accepted.append(p.name)
                return True
        return False

    def shrink(self) -> Shrunk[T]:
        """Run the passes until a whole round gives nothing (see the module docstring)."""
        stopped = "done"
        try:
            while any(self.run_pass(p) for p in self.passes):
                pass  # any() stops at the first pass that improved: start again from the first
        except _OutOfTries:
            stopped = "budget"
        except StopShrinking:
            stopped = "stopped"
        return Shrunk(self.current, len(self.accepted), self.tries, tuple(self.accepted), stopped)


class _OutOfTries(Exception):  # noqa: N818
    """A simpler candidate is left, but ``max_tries`` predicate calls were made."""


def shrink(initial: T, predicate: Callable[[T], bool], passes: Sequence[Pass], *,
           sort_key: Callable[[T], Any], max_tries: int) -> Shrunk[T]:
    """:class:`Shrinker` ``(...).shrink()`` in one call."""
    return Shrinker(initial, predicate, passes, sort_key=sort_key, max_tries=max_tries).shrink()
