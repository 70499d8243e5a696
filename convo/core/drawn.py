"""Markup drawn once and kept, by everything it was drawn from.

A view drawn again and again for small changes (the console's list of points, after every new
point) keeps each part it has drawn under a key holding every value the drawing reads, so a
part whose values haven't changed isn't drawn again, and one whose values have changed gets a
new key and is drawn afresh: nothing is ever shown out of date, and nothing needs clearing.
The oldest parts go once `size` are kept.  Kept per process, never written anywhere.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from markupsafe import Markup


class Drawn:
    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: OrderedDict[Hashable, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, draw: Callable[[], Markup]) -> Markup:
        with self._lock:
            markup = self._kept.get(key)
            if markup is not None:
                self._kept.move_to_end(key)
                return markup
        markup = Markup(draw())
        with self._lock:
            self._kept[key] = markup
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return markup

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
