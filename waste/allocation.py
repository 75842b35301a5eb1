"""The disposal rule as a pure function: nearest storage first, spilling over to the next one.

For each organization (in id order) and each waste type it holds (in `WASTE_TYPES` order), the storages
equipped for that type and reachable from it are taken by distance, then storage name, then storage id;
each gets `min(stock, free)` until the stock is gone or no storage with room is left.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from waste.models import WASTE_TYPES


@dataclass
class Room:
    id: int
    storage_id: int
    storage_name: str
    waste_type: str
    free: int


@dataclass(frozen=True)
class Move:
    organization_id: int
    room_id: int
    storage_id: int
    storage_name: str
    waste_type: str
    amount: int
    distance_m: int


def plan(
    *,
    stocks: Mapping[tuple[int, str], int],
    rooms: Iterable[Room],
    distances: Mapping[tuple[int, int], int],
) -> list[Move]:
    """Moves that dispose `stocks` ((organization id, type) → amount) into `rooms` ((org, storage) → metres).

    `rooms` is consumed: each room's `free` shrinks by what is planned into it.
    """
    rooms_by_type: dict[str, list[Room]] = {}
    for room in rooms:
        rooms_by_type.setdefault(room.waste_type, []).append(room)
    order = {waste_type: index for index, waste_type in enumerate(WASTE_TYPES)}
    moves: list[Move] = []
    for (organization_id, waste_type), stock in sorted(
        stocks.items(), key=lambda item: (item[0][0], order[item[0][1]])
    ):
        candidates = [
            (distances[(organization_id, room.storage_id)], room.storage_name, room.storage_id, room)
            for room in rooms_by_type.get(waste_type, [])
            if (organization_id, room.storage_id) in distances
        ]
        candidates.sort(key=lambda candidate: candidate[:3])
        for distance, _name, _storage_id, room in candidates:
            if stock <= 0:
                break
            amount = min(stock, room.free)
            if amount <= 0:
                continue
            room.free -= amount
            stock -= amount
            moves.append(
                Move(organization_id, room.id, room.storage_id, room.storage_name, waste_type, amount, distance)
            )
    return moves
