"""The energy parameters of a chip: static power and the energy of each kind of activity.

Static: every chip draws `chip_baseline_w` (all cores off), each board `board_w` besides its
chips, and each core that is on draws `core_sleep_w` at its performance level. Activity (as
SANA-FE and SpiNNaker's own toolchain count it): `core_busy_j_per_cycle` per busy core cycle
at its level, `router_j_per_packet` per router look-up, `noc_j_per_hop` per packet hop on the
network-on-chip, `link_j_per_bit` per bit sent over a chip-to-chip link. The per-level
tuples are as long as the core's `performance_levels_hz`. Sources: chips/presets.py.
"""

from dataclasses import dataclass

from .errors import check


@dataclass(frozen=True)
class Energy:
    """What a chip's parts cost in power and energy (watts and joules)."""

    chip_baseline_w: float
    core_sleep_w: tuple[float, ...]
    core_busy_j_per_cycle: tuple[float, ...]
    router_j_per_packet: float
    noc_j_per_hop: float
    link_j_per_bit: float
    board_w: float = 0.0
    chips_per_board: int = 48
    unused_cores_off: bool = True

    def __post_init__(self) -> None:
        for name in ("chip_baseline_w", "router_j_per_packet", "noc_j_per_hop",
                     "link_j_per_bit", "board_w"):
            value = getattr(self, name)
            check(value >= 0, name, "be >= 0", value)
        for name in ("core_sleep_w", "core_busy_j_per_cycle"):
            value = getattr(self, name)
            check(isinstance(value, tuple) and len(value) >= 1 and all(v >= 0 for v in value),
                  name, "be a list of numbers >= 0, one per performance level", value)
        check(self.chips_per_board >= 1, "chips_per_board", "be >= 1", self.chips_per_board)

    def check_levels(self, n_levels: int) -> None:
        """Refuse per-level figures that do not match the core's `n_levels` levels."""
        for name in ("core_sleep_w", "core_busy_j_per_cycle"):
            value = getattr(self, name)
            check(len(value) == n_levels, name,
                  f"have one value per performance level ({n_levels}, as "
                  f"performance_levels_hz)", value)

    def busy_w(self, level: int, clock_hz: int) -> float:
        """Power of one core busy all the time at `level` (sleeping power included)."""
        return self.core_sleep_w[level] + self.core_busy_j_per_cycle[level] * clock_hz
