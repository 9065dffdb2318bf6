"""The network-on-chip between a chip's cores and its router.

SpiNNaker2 places its 152 application PEs in 38 quad-PEs (QPEs) on a 2-D mesh; SpiNNMachine's
version table gives each PE's QPE coordinates (qx 1..7, qy 1..6; PE 0 is the system core).
We assume the chip router sits at the centre of the mesh, at the two unpopulated positions
(4, 3) and (4, 4), so a packet costs one hop to reach the router from a QPE next to it and
one more per QPE on the way. SpiNNaker1 has no mesh: every core is one hop from its router.
"""

import numpy as np

# QPE (qx, qy) of SpiNNaker2 application PEs 1..152, four PEs per QPE, in PE order.
SPINNAKER2_QPES = (
    (7, 6), (7, 5), (6, 6), (6, 5), (6, 4), (5, 4), (5, 6), (3, 6), (4, 6), (5, 5), (3, 5),
    (4, 5), (1, 6), (2, 6), (1, 5), (2, 5), (1, 4), (2, 4), (3, 4), (1, 1), (2, 1), (1, 2),
    (2, 2), (1, 3), (2, 3), (3, 3), (5, 1), (3, 1), (4, 1), (5, 2), (3, 2), (4, 2), (7, 1),
    (6, 1), (7, 2), (6, 2), (6, 3), (5, 3))
ROUTER_QPES = ((4, 3), (4, 4))
NOC_LAYOUTS = ("qpe_mesh", "crossbar")


def core_hops(layout: str, cores: int) -> np.ndarray:
    """NoC hops between each core and the router of its chip."""
    if layout == "crossbar" or cores != 4 * len(SPINNAKER2_QPES):
        return np.ones(cores, dtype=np.int64)
    hops = [min(abs(qx - rx) + abs(qy - ry) for rx, ry in ROUTER_QPES)
            for qx, qy in SPINNAKER2_QPES]
    return np.repeat(np.array(hops, dtype=np.int64), 4)
