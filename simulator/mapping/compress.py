"""Routing-table compression by ordered covering (Mundy et al. 2016, as in SpiNNaker's
PACMAN): entries with the same route merge into one more general key/mask, placed below
the more specific entries, as long as no packet that reaches the router changes route.
Every entry remembers the original entries it stands for (its aliases): only their keys
reach the router, so merges are checked against them, not against the wider cover.

A router's table is first-match in order of generality (fewest don't-care bits first). A
merge of entries S (one route) into the cover m is refused where
- m would match a key that default routing carries through the router (the elided
  entries: those packets must still match nothing), or
- an original entry of another route whose entry is placed after m (more general) shares
  keys with m (up check), or
- an entry of another route that would come before m, but came after a member of S, shares
  keys with an original of that member (down check);
the merge is then narrowed (split on a key bit, or the member dropped) and tried again.
Keys that never reach the router are free to match anything: that is the saving.
"""

from dataclasses import dataclass

import numpy as np
from numba import njit

from ..csr import pointers

FULL = np.int64(0xFFFF_FFFF)
# (tie break between equal merges: the first route's, most specific, most general; aliases)
VARIANTS = ((0, True), (1, True), (2, True), (0, False))


@dataclass(frozen=True, eq=False)
class Table:
    """An ordered key/mask table: the first entry with `key == packet_key & mask` routes."""

    key: np.ndarray    # int64 (32-bit values)
    mask: np.ndarray   # int64
    route: np.ndarray  # int64 route id

    def __len__(self) -> int:
        return len(self.key)


def lookup(table: Table, keys: np.ndarray) -> np.ndarray:
    """The route of every key (first matching entry), -1 where none matches."""
    keys = np.asarray(keys, dtype=np.int64)
    if len(table) == 0:
        return np.full(len(keys), -1, dtype=np.int64)
    hit = (keys[:, None] & table.mask[None, :]) == table.key[None, :]
    first = np.argmax(hit, axis=1)
    return np.where(hit.any(axis=1), table.route[first], -1)


def compress(table: Table, protected_key=None, protected_mask=None, target: int = 0) -> Table:
    """Ordered covering of `table` down to `target` entries (or as far as it goes), never
    matching a key of the `protected` key/mask pairs (packets that must match nothing).
    Each round takes the largest valid merge; between equal ones the first route's, the most
    specific cover or the most general, checked against aliases; and once as without
    aliases (the checks against the entries themselves, which can end smaller by chance):
    the smallest of the four tables."""
    pk = np.asarray(protected_key if protected_key is not None else [], dtype=np.int64)
    pm = np.asarray(protected_mask if protected_mask is not None else [], dtype=np.int64)
    gen = generality(table.mask)
    order = np.argsort(gen, kind="stable")
    best = None
    for tie, aliases in VARIANTS:
        key, mask, route = ordered_covering(table.key[order].astype(np.int64),
                                            table.mask[order].astype(np.int64),
                                            table.route[order].astype(np.int64), pk, pm,
                                            target, tie, aliases)
        if best is None or len(key) < len(best):
            best = Table(key, mask, route)
    return best


def generality(mask: np.ndarray) -> np.ndarray:
    """Don't-care bits of each mask."""
    bits = (np.asarray(mask, dtype=np.int64)[:, None] >> np.arange(32)) & 1
    return 32 - bits.sum(axis=1)


@njit(cache=True)
def _gen(mask):
    count = 0
    for b in range(32):
        if (mask >> b) & 1 == 0:
            count += 1
    return count


@njit(cache=True)
def _meets(k1, m1, k2, m2):
    return ((k1 ^ k2) & m1 & m2) == 0


@njit(cache=True)
def _cover(key, mask, members):
    k0 = key[members[0]]
    m = FULL
    diff = 0
    for i in members:
        m &= mask[i]
        diff |= key[i] ^ k0
    m &= ~diff & FULL
    return k0 & m, m


@njit(cache=True)
def _split(key, mask, members, m, ck, cm):
    """Members whose key differs from (ck, cm) on the highest bit the cover leaves open
    and the conflicting entry fixes; empty if there is no such bit. Where that keeps every
    member (the bit is open because some members do not care about it, not because their
    keys differ), only the members that fix the bit to the other value are kept: always
    fewer than before, so that narrowing ends."""
    for b in range(31, -1, -1):
        if (m >> b) & 1 == 0 and (cm >> b) & 1 == 1:
            other = ((key[members] >> b) & 1) != ((ck >> b) & 1)
            if other.all():
                other &= ((mask[members] >> b) & 1) == 1
            return members[other]
    return members[:0]


@njit(cache=True)
def _valid_merge(key, mask, route, gen, eid, pk, pm, okey, omask, oroute, owner, members, r,
                 aliases):
    """Narrow `members` until their cover breaks no route of a key that reaches the router
    (the originals, by their aliases; without `aliases`, the entries as they stand);
    returns them (maybe fewer than 2)."""
    n = key.size
    position = np.full(eid.max() + 1 if n else 1, -1, dtype=np.int64)
    for i in range(n):
        position[eid[i]] = i
    at = position[owner]  # the aliases of each entry, as CSR rows by position
    alias = np.argsort(at, kind="mergesort")
    alias_ptr = np.zeros(n + 1, dtype=np.int64)
    for o in range(at.size):
        alias_ptr[at[o] + 1] += 1
    alias_ptr = np.cumsum(alias_ptr)
    while members.size >= 2:
        k, m = _cover(key, mask, members)
        g = _gen(m)
        bad = False
        for p in range(pk.size):
            if _meets(k, m, pk[p], pm[p]):
                members = _split(key, mask, members, m, pk[p], pm[p])
                bad = True
                break
        if bad:
            continue
        if aliases:
            for o in range(okey.size):  # up check: originals whose entry ends up below
                if oroute[o] != r and gen[position[owner[o]]] > g \
                        and _meets(k, m, okey[o], omask[o]):
                    members = _split(key, mask, members, m, okey[o], omask[o])
                    bad = True
                    break
        else:
            for i in range(n):
                if route[i] != r and gen[i] > g and _meets(k, m, key[i], mask[i]):
                    members = _split(key, mask, members, m, key[i], mask[i])
                    bad = True
                    break
        if bad:
            continue
        for j in range(members.size):  # down check: entries that would come first now
            e = members[j]
            for i in range(e + 1, n):
                if gen[i] > g:
                    break
                if route[i] == r:
                    continue
                if not aliases:
                    bad = _meets(key[e], mask[e], key[i], mask[i])
                for a in range(alias_ptr[e], alias_ptr[e + 1] if aliases else 0):
                    o = alias[a]
                    if _meets(okey[o], omask[o], key[i], mask[i]):
                        bad = True
                        break
                if bad:
                    break
            if bad:
                members = np.concatenate((members[:j], members[j + 1:]))
                break
        if not bad:
            return members
    return members


@njit(cache=True)
def ordered_covering(key, mask, route, pk, pm, target, tie, aliases):
    gen = np.empty(key.size, dtype=np.int64)
    for i in range(key.size):
        gen[i] = _gen(mask[i])
    okey, omask, oroute = key.copy(), mask.copy(), route.copy()
    eid = np.arange(key.size)
    owner = eid.copy()
    next_id = key.size
    while key.size > target:
        best = np.empty(0, dtype=np.int64)
        best_gen = 0
        for r in np.unique(route):
            members = np.flatnonzero(route == r)
            if members.size < max(best.size, 2):
                continue
            members = _valid_merge(key, mask, route, gen, eid, pk, pm, okey, omask, oroute,
                                   owner, members, r, aliases)
            if members.size < 2 or members.size < best.size:
                continue
            g = _gen(_cover(key, mask, members)[1])
            if members.size > best.size or (tie == 1 and g < best_gen) \
                    or (tie == 2 and g > best_gen):
                best, best_gen = members, g
        if best.size < 2:
            break
        k, m = _cover(key, mask, best)
        g = _gen(m)
        r = route[best[0]]
        for o in range(owner.size):
            for b in best:
                if owner[o] == eid[b]:
                    owner[o] = next_id
        keep = np.ones(key.size, dtype=np.bool_)
        keep[best] = False
        key, mask, route, gen, eid = key[keep], mask[keep], route[keep], gen[keep], eid[keep]
        at = np.searchsorted(gen, g, side="right")
        key = np.concatenate((key[:at], np.array([k]), key[at:]))
        mask = np.concatenate((mask[:at], np.array([m]), mask[at:]))
        route = np.concatenate((route[:at], np.array([r]), route[at:]))
        gen = np.concatenate((gen[:at], np.array([g]), gen[at:]))
        eid = np.concatenate((eid[:at], np.array([next_id]), eid[at:]))
        next_id += 1
    return key, mask, route


@dataclass(frozen=True, eq=False)
class TableSizes:
    """Entries of every router's table before and after compression (arrays [chips])."""

    capacity: int
    before: np.ndarray
    after: np.ndarray

    @property
    def overfull(self) -> np.ndarray:
        """Chips whose table does not fit even compressed."""
        return np.flatnonzero(self.after > self.capacity)


def router_table(entries, chip: int) -> tuple[Table, np.ndarray, np.ndarray]:
    """Chip `chip`'s table and the key/mask pairs default routing carries through it."""
    here = entries.of_chip(chip)
    passing = slice(int(entries.protected_ptr[chip]), int(entries.protected_ptr[chip + 1]))
    table = Table(entries.key[here].astype(np.int64), entries.mask[here].astype(np.int64),
                  entries.route[here].astype(np.int64))
    return (table, entries.protected_key[passing].astype(np.int64),
            entries.protected_mask[passing].astype(np.int64))


def compress_entries(machine, entries):
    """Every router's table compressed as far as ordered covering goes, and the sizes."""
    from .entries import RouterEntries
    n_chips = machine.n_chips
    keys, masks, routes, counts = [], [], [], np.zeros(n_chips, dtype=np.int64)
    for chip in range(n_chips):
        table, pk, pm = router_table(entries, chip)
        small = compress(table, pk, pm) if len(table) > 1 else table
        keys.append(small.key)
        masks.append(small.mask)
        routes.append(small.route)
        counts[chip] = len(small)
    compressed = RouterEntries(
        chip_ptr=pointers(counts), key=np.concatenate(keys).astype(np.uint32),
        mask=np.concatenate(masks).astype(np.uint32), route=np.concatenate(routes),
        population=np.full(int(counts.sum()), -1, dtype=np.int32),
        route_link_bits=entries.route_link_bits, route_core_ptr=entries.route_core_ptr,
        route_cores=entries.route_cores, protected_ptr=entries.protected_ptr,
        protected_key=entries.protected_key, protected_mask=entries.protected_mask)
    sizes = TableSizes(machine.chip.router.table_entries, entries.per_chip(), counts)
    return compressed, sizes
