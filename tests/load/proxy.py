"""A round-robin TCP proxy for `make test` (the load script uses nginx): each connection to the next live worker."""

from __future__ import annotations

import asyncio
import contextlib
import itertools


class RoundRobinProxy:
    """Spreads connections over backends in turn; a backend that refuses is skipped, as nginx's next upstream."""

    def __init__(self, backends: list[int], host: str = "127.0.0.1") -> None:
        self.backends, self.host = backends, host
        self._turn = itertools.cycle(range(len(backends)))
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> RoundRobinProxy:
        """Listen on a free port."""
        self._server = await asyncio.start_server(self._client, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Connect the client to the next backend that accepts, then copy bytes both ways."""
        for _ in self.backends:
            port = self.backends[next(self._turn)]
            try:
                up_reader, up_writer = await asyncio.wait_for(asyncio.open_connection(self.host, port), 2.0)
                break
            except (OSError, TimeoutError):
                continue
        else:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))


async def _pipe(source: asyncio.StreamReader, target: asyncio.StreamWriter) -> None:
    """Copy until end of stream or a reset, then close the other side."""
    with contextlib.suppress(OSError, ConnectionError):
        while data := await source.read(65536):
            target.write(data)
            await target.drain()
    with contextlib.suppress(OSError, ConnectionError):
        target.close()
