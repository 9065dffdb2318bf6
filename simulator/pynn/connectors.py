"""PyNN connectors as neurochip connectors, or as explicit (pre, post) pairs.

Between two whole populations the common connectors become neurochip's own, which every MPI
rank generates for its own neurons only. Views, assemblies and the connectors neurochip
lacks become explicit pairs, generated once in the projection's own index space from
neurochip's counter-based streams, so they too are the same on any number of ranks.
"""

import numpy as np
from pyNN import connectors as pc
from pyNN.random import RandomDistribution

import networks
from networks.connectors import _fixed_in_degree_rows

from .errors import Unsupported

SUPPORTED = ("AllToAllConnector", "OneToOneConnector", "FixedProbabilityConnector",
             "FixedNumberPreConnector", "FixedNumberPostConnector", "FromListConnector",
             "FromFileConnector", "ArrayConnector", "CloneConnector")


def _allow_self(connector, where: str) -> bool:
    allow = connector.allow_self_connections
    if allow == "NoMutual":
        raise Unsupported(f"{where}: allow_self_connections='NoMutual' is not supported; use "
                          f"True or False")
    return bool(allow)


def _fixed_n(connector, where: str) -> int:
    if isinstance(connector.n, RandomDistribution):
        raise Unsupported(f"{where}: {type(connector).__name__} with a random n is not "
                          f"supported; give a whole number")
    return int(connector.n)


def native(connector, where: str) -> networks.Connector | None:
    """neurochip's own connector for `connector`, where it has one."""
    kind = type(connector)
    if kind is pc.AllToAllConnector:
        return networks.AllToAll(_allow_self(connector, where))
    if kind is pc.OneToOneConnector:
        return networks.OneToOne()
    if kind is pc.FixedProbabilityConnector:
        return networks.FixedProbability(connector.p_connect, _allow_self(connector, where))
    if kind is pc.FixedNumberPreConnector:
        return networks.FixedInDegree(_fixed_n(connector, where), _allow_self(connector, where),
                                      bool(connector.with_replacement))
    return None


def check_supported(connector, where: str) -> None:
    """Refuse a connector this backend does not implement."""
    if type(connector).__name__ not in SUPPORTED or connector.__class__.__module__ != \
            pc.__name__:
        raise Unsupported(f"{where}: {type(connector).__name__} is not supported; use one of "
                          f"{', '.join(SUPPORTED)} (or compute the pairs and use "
                          f"FromListConnector)")


def pairs(connector, n_pre: int, n_post: int, same_cells: bool, seed: int, stream: int,
          where: str) -> tuple[np.ndarray, np.ndarray, dict]:
    """(pre, post) indices in the projection's index space, sorted by post then pre, and the
    values the connector itself gives per pair ({"weight": array, "delay": array})."""
    nc = native(connector, where)
    if nc is not None:
        nc.check_sizes(n_pre, n_post, same_cells)
        pre, post = nc.connect(n_pre, 0, n_post, same_cells, seed, stream)
        return pre, post, {}
    kind = type(connector)
    if kind is pc.FixedNumberPostConnector:
        n = _fixed_n(connector, where)
        exclude_self = same_cells and not _allow_self(connector, where)
        networks.FixedInDegree(n, not exclude_self, bool(connector.with_replacement)) \
            .check_sizes(n_post, n_pre, same_cells)
        post, pre = _fixed_in_degree_rows(n_post, 0, n_pre, n, exclude_self,
                                          bool(connector.with_replacement),
                                          np.uint64(seed), np.uint64(stream))
        return _sorted(pre, post, {})
    if isinstance(connector, pc.FromListConnector):
        return _from_list(connector, n_pre, n_post, where)
    if kind is pc.ArrayConnector:
        mask = np.asarray(connector.array, dtype=bool)
        if mask.shape != (n_pre, n_post):
            raise Unsupported(f"{where}: ArrayConnector's array must have shape "
                              f"({n_pre}, {n_post}), one row per pre neuron (got {mask.shape})")
        pre, post = np.nonzero(mask)
        return _sorted(pre, post, {})
    if kind is pc.CloneConnector:
        reference = connector.reference_projection
        if reference.pre is not None and (reference.pre.size, reference.post.size) != \
                (n_pre, n_post):
            raise Unsupported(f"{where}: CloneConnector must copy a projection between "
                              f"populations of the same sizes")
        pre, post = reference.connection_pairs()
        return pre, post, {}
    check_supported(connector, where)
    raise Unsupported(f"{where}: {kind.__name__} is not supported")


def _from_list(connector, n_pre, n_post, where):
    table = np.asarray(connector.conn_list, dtype=np.float64)
    if table.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty.copy(), {}
    table = table.reshape(len(table), -1)
    names = list(connector.column_names)
    extra = [n for n in names if n not in ("weight", "delay")]
    if extra:
        raise Unsupported(f"{where}: FromListConnector columns {extra} are not supported "
                          f"(static synapses have only weight and delay)")
    pre, post = table[:, 0], table[:, 1]
    for side, index, n in (("pre", pre, n_pre), ("post", post, n_post)):
        bad = (index < 0) | (index >= n) | (index != np.floor(index))
        if bad.any():
            raise Unsupported(f"{where}: FromListConnector {side} indices must be whole numbers "
                              f"in [0, {n}) (got {index[bad][:3].tolist()})")
    values = {name: table[:, 2 + k] for k, name in enumerate(names)}
    return _sorted(pre.astype(np.int64), post.astype(np.int64), values)


def _sorted(pre, post, values):
    order = np.lexsort((pre, post))
    return (np.asarray(pre, dtype=np.int64)[order], np.asarray(post, dtype=np.int64)[order],
            {name: np.asarray(v)[order] for name, v in values.items()})
