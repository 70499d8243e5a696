"""Things worked out once per process and kept, by everything they were worked out from.

A key holds every value the result depends on, so a result whose values haven't changed is
found again, and one whose values have changed gets a new key and is worked out afresh:
nothing kept is ever out of date, and nothing needs clearing.  The least recently used go once
`size` are kept.  Kept in memory only, never written anywhere; safe across threads.

Used for a question set parsed from its snapshot (conversations.plan.question_set_of) and for
each point as the console draws it (conversations.console.ConsoleView.drawn_item).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Kept(Generic[T]):
    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, work_out: Callable[[], T]) -> T:
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        found = work_out()  # outside the lock: two threads may both work it out, once each
        with self._lock:
            self._kept[key] = found
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return found

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
