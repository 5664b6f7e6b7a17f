"""The run process's garbage-collector setting (berjasa/heap.py)."""

from __future__ import annotations

import gc

from berjasa.heap import YOUNG_GENERATION_THRESHOLD, freeze_startup_heap


def test_the_startup_heap_is_frozen_and_later_objects_are_still_collected() -> None:
    threshold = gc.get_threshold()
    try:
        frozen = freeze_startup_heap()
        assert frozen == gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == YOUNG_GENERATION_THRESHOLD

        class Node:
            pass

        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle: only the collector frees it
        del a, b
        assert gc.collect() >= 2
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
