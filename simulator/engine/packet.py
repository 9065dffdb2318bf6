"""The packet network at `packet` fidelity: the reference for `timed`.

The same semantics as `timed.py` (read its docstring), written plainly with one SimPy event
per packet hop, so that the fast Numba kernel can be checked against it on small cases. Each
hop event is scheduled with a priority that encodes (emission time, source neuron, kind,
chip, link), so simultaneous hops run in the same total order as in `timed`.
"""

import time
from collections import deque

import numpy as np
import simpy

from chips.link import buffer_entry_ps
from chips.router import emergency_legs

from .cores import deliver_copies
from .timed import (BITS, BUSY_PS, DEFAULT_ROUTED, DETOUR, DETOUR_SECOND, DROPPED, DROPS,
                    E_DEFAULT, E_LINKS, EMERGENCY_ROUTED, L_DEAD_PS, L_DIRECTION, L_TARGET,
                    MAX_QUEUE, PACKETS, ROUTE, ROUTED, S_CORE, S_FIRST_ID, S_GRADED,
                    S_POPULATION, S_SENDS,
                    FabricSpec, latency_bin, link_queue_capacity, new_stats, stats_counts)


class _Hop(simpy.events.Event):
    """An event that fires after `delay` with `priority` among simultaneous events."""

    def __init__(self, env: simpy.Environment, delay: int, priority: int, action) -> None:
        super().__init__(env)
        self._ok = True
        self._value = None
        self.callbacks.append(action)
        env.schedule(self, priority, delay)


def _priority(emit: int, gid: int, kind: int, chip: int, link: int) -> int:
    """One integer that orders like the tuple (emit, gid, kind, chip, link); never 0, the
    priority SimPy gives its own `until` event."""
    return ((((emit << 40 | gid) << 2 | kind) << 24 | chip) << 24 | (link + 1)) + 1


class _Packet:
    __slots__ = ("emit", "gid", "slice", "tick", "value")

    def __init__(self, emit, gid, slice_, tick, value):
        self.emit, self.gid, self.slice, self.tick, self.value = emit, gid, slice_, tick, value


class PacketFabric:
    """Every router and link of the machine as SimPy events, one per packet hop."""

    def __init__(self, spec: FabricSpec, n_windows: int) -> None:
        self.spec = spec
        self.env = simpy.Environment()
        self.stats = new_stats(n_windows, len(spec.links), spec.n_chips, spec.n_populations)
        self.queues = [deque() for _ in range(len(spec.links))]
        self.capacity = link_queue_capacity(spec)
        self.last_end = [0] * len(spec.links)
        self.entries = {int(e): i for i, e in enumerate(spec.entry_id)}
        self.delivered: list[tuple[int, int, int, int, float]] = []
        self.advance_s = 0.0

    def inject(self, ticks: np.ndarray, gids: np.ndarray, slices: np.ndarray,
               values: np.ndarray, emits: np.ndarray) -> None:
        spec = self.spec
        for tick, gid, s, value, emit in zip(ticks.tolist(), gids.tolist(), slices.tolist(),
                                             values.tolist(), emits.tolist()):
            if not spec.slices[s, S_SENDS]:
                continue
            core = int(spec.slices[s, S_CORE])
            chip = core // spec.cores_per_chip
            hops = int(spec.core_noc_hops[core % spec.cores_per_chip])
            arrive = emit + hops * spec.noc_hop_ps + spec.router_latency_ps
            self._at(arrive, _Packet(emit, gid, s, tick, value), ROUTE, chip, -1)

    def run(self, end_tick: int, ticks: np.ndarray, gids: np.ndarray, slices: np.ndarray,
            values: np.ndarray, emits: np.ndarray, to) -> None:
        """Send a batch's packets, run the SimPy events up to `end_tick`, deliver."""
        started = time.perf_counter()
        self.inject(ticks, gids, slices, values, emits)
        self.env.run(until=end_tick * self.spec.tick_ps)
        rows, self.delivered = self.delivered, []
        delivered = np.array([r[:4] for r in rows], dtype=np.int64).reshape(-1, 4)
        deliver_copies(to, delivered, np.array([r[4] for r in rows], dtype=np.float64))
        self.advance_s += time.perf_counter() - started

    def counts(self) -> dict:
        return stats_counts(self.stats)

    def warm_up(self, to) -> None:
        deliver_copies(to, np.empty((0, 4), dtype=np.int64), np.empty(0))

    def _at(self, time: int, packet: _Packet, kind: int, chip: int, link: int) -> None:
        handler = {ROUTE: self._route, DETOUR: self._detour, DETOUR_SECOND: self._detour}[kind]
        _Hop(self.env, time - self.env.now, _priority(packet.emit, packet.gid, kind, chip, link),
             lambda _: handler(packet, kind, chip, link))

    def _window(self, time: int) -> int:
        return time // self.spec.window_ps

    def _route(self, packet: _Packet, kind: int, chip: int, link: int) -> None:
        spec, stats, now = self.spec, self.stats, self.env.now
        w = self._window(now)
        if now >= spec.chip_dead_ps[chip]:
            stats.routers[DROPPED, w, chip] += 1
            return
        stats.routers[ROUTED, w, chip] += 1
        e = self.entries.get(packet.slice * spec.n_chips + chip)
        if e is None:
            stats.routers[DROPPED, w, chip] += 1
            return
        if spec.entries[e, E_DEFAULT]:
            stats.routers[DEFAULT_ROUTED, w, chip] += 1
        for d in range(6):
            if spec.entries[e, E_LINKS] >> d & 1:
                self._offer(packet, chip, int(spec.link_of[chip, d]), spec.emergency_wait_ps,
                            ROUTE, -1)
        for k in range(spec.entry_core_ptr[e], spec.entry_core_ptr[e + 1]):
            core = int(spec.entry_cores[k])
            arrive = now + int(spec.core_noc_hops[core % spec.cores_per_chip]) * spec.noc_hop_ps
            if arrive >= spec.core_dead_ps[core]:
                stats.routers[DROPPED, w, chip] += 1
                continue
            self.delivered.append((arrive, packet.gid, core, packet.tick, packet.value))
            stats.latency_histogram[latency_bin(arrive - packet.emit)] += 1

    def _detour(self, packet: _Packet, kind: int, chip: int, link: int) -> None:
        spec, stats, now = self.spec, self.stats, self.env.now
        w = self._window(now)
        if now >= spec.chip_dead_ps[chip]:
            stats.routers[DROPPED, w, chip] += 1
            stats.links[DROPS, w, link] += 1
            return
        first, second = emergency_legs(int(spec.links[link, L_DIRECTION]))
        leg = int(spec.link_of[chip, first if kind == DETOUR else second])
        self._offer(packet, chip, leg, spec.drop_wait_ps, kind, link)

    def _offer(self, packet, chip, out, wait, kind, detouring) -> None:
        """Commit the copy to link `out`, or reroute or drop it after `wait`."""
        spec, stats, now = self.spec, self.stats, self.env.now
        queue = self.queues[out] if out >= 0 else None
        usable = out >= 0 and now < spec.links[out, L_DEAD_PS]
        if usable:
            while queue and queue[0] <= now:
                queue.popleft()
            ends = np.array(queue, dtype=np.int64)
            usable = buffer_entry_ps(ends, 0, len(ends), spec.buffer_packets, now) <= now + wait
        if not usable:
            if detouring < 0:
                self._at(now + wait, packet, DETOUR, chip, out)
            else:
                w = min(now + wait, spec.end_ps - 1) // spec.window_ps
                stats.routers[DROPPED, w, chip] += 1
                stats.links[DROPS, w, detouring] += 1
            return
        graded = spec.slices[packet.slice, S_GRADED]
        start = max(now, self.last_end[out])
        end = start + int(spec.link_serialisation_ps[out, 1 if graded else 0])
        queue.append(end)
        assert len(queue) <= self.capacity, "the timed kernel's link ring would overflow"
        self.last_end[out] = end
        w = self._window(now)
        stats.links[PACKETS, w, out] += 1
        stats.population_links[w, spec.slices[packet.slice, S_POPULATION], out] += 1
        stats.links[BITS, w, out] += spec.payload_packet_bits if graded else spec.packet_bits
        stats.links[MAX_QUEUE, w, out] = max(stats.links[MAX_QUEUE, w, out], len(queue))
        t, stop = start, min(end, spec.end_ps)
        while t < stop:
            boundary = min(stop, (t // spec.window_ps + 1) * spec.window_ps)
            stats.links[BUSY_PS, t // spec.window_ps, out] += boundary - t
            t = boundary
        arrive = end + int(spec.link_wire_ps[out]) + spec.router_latency_ps
        stats.link_latency_histogram[out, latency_bin(arrive - now)] += 1
        target = int(spec.links[out, L_TARGET])
        if detouring < 0:
            self._at(arrive, packet, ROUTE, target, out)
        elif kind == DETOUR:
            stats.routers[EMERGENCY_ROUTED, w, chip] += 1
            self._at(arrive, packet, DETOUR_SECOND, target, detouring)
        else:
            self._at(arrive, packet, ROUTE, int(spec.links[detouring, L_TARGET]), detouring)
