"""Compiled functions called without Numba's dispatch, where Python calls them once a tick
with dozens of arrays: the dispatcher types every argument on each call (a few µs), and the
types never change during a run."""


def compiled_entry(function):
    """The machine-code entry of `function`'s one compiled version (itself where it has
    several), called without the dispatch that types all its arrays on every call (about
    4 us of the 7 a call of the tick loop costs: most of a one-tick batch). Arrays are only
    ever replaced by larger ones of the same kind, so the types stay valid."""
    compiled = list(function.overloads.values())
    return compiled[0].entry_point if len(compiled) == 1 else function
