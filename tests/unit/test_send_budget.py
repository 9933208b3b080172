"""The bot-wide send budget: never more than the limit in a second, and a waiting answer goes before bulk sends."""

from __future__ import annotations

import asyncio
import time

from bot.broadcast.budget import WINDOW_S, LocalBudget, Priority


async def test_a_waiting_answer_takes_the_next_slot_before_queued_bulk_sends() -> None:
    """Eight bulk sends queue for a 4-a-second budget; an answer asked after them goes first."""
    budget, order = LocalBudget(4), []

    async def send(name: str, priority: Priority, hold: float = 0.0) -> None:
        async with budget.slot(priority):
            order.append((name, time.monotonic()))
            await asyncio.sleep(hold)

    started = time.monotonic()
    bulk = [asyncio.create_task(send(f"bulk{n}", Priority.BULK)) for n in range(8)]
    await asyncio.sleep(0.05)  # the first slots are taken, the rest of the bulk sends wait
    await send("answer", Priority.ANSWER)
    await asyncio.gather(*bulk)
    names = [name for name, _ in order]
    assert names.index("answer") <= 2, names  # the next slot after it asked, ahead of bulk sends queued earlier
    moments = [moment - started for _, moment in order]
    assert all(sum(1 for m in moments if start <= m < start + 1.0) <= 4 for start in moments)


async def test_a_slot_counts_until_a_second_after_the_answer() -> None:
    """A slow request keeps its slot: at most `rate` requests are out or answered within the last second."""
    budget = LocalBudget(2)
    async with budget.slot(Priority.BULK):
        await asyncio.sleep(0.3)  # a slow request
    async with budget.slot(Priority.BULK):
        pass
    started = time.monotonic()
    async with budget.slot(Priority.BULK):
        waited = time.monotonic() - started
    assert waited >= WINDOW_S - 0.35


def test_bulk_sends_leave_a_tenth_of_the_shared_budget_to_answers_but_never_all_of_it() -> None:
    """The reserve across workers: 3 of Telegram's 30 a second, at least one, and a budget of one is bulk's too."""
    from bot.scale.budget import reserve_for

    assert [reserve_for(count) for count in (1, 2, 9, 25, 30, 100)] == [0, 1, 1, 3, 3, 10]
