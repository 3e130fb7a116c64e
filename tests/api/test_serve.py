"""Several API processes keep Nagle's algorithm off (api/serve.py): a connection accepted on
the listener uvicorn's workers share says TCP_NODELAY, as one process's connections do."""

from __future__ import annotations

import asyncio
import socket

from api.serve import NoDelayConfig, with_tcp_proto


async def _accepted_nodelay(listener: socket.socket) -> int:
    seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Report(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    loop = asyncio.get_running_loop()
    server = await loop.create_server(Report, sock=listener)
    host, port = listener.getsockname()[:2]
    _, writer = await asyncio.open_connection(host, port)
    try:
        return await asyncio.wait_for(seen, 5)
    finally:
        writer.close()
        server.close()
        await server.wait_closed()


def test_the_shared_listener_gives_connections_tcp_nodelay() -> None:
    config = NoDelayConfig(
        "api.main:create_app", factory=True, host="127.0.0.1", port=0, log_config=None
    )
    listener = config.bind_socket()

    assert listener.proto == socket.IPPROTO_TCP
    assert asyncio.run(_accepted_nodelay(listener)) != 0


def test_a_listener_made_with_proto_zero_loses_it_and_the_fix_restores_it() -> None:
    # What uvicorn's --workers does on its own: the bug this module works around.
    bare = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    bare.bind(("127.0.0.1", 0))
    assert asyncio.run(_accepted_nodelay(bare)) == 0

    again = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    again.bind(("127.0.0.1", 0))
    assert asyncio.run(_accepted_nodelay(with_tcp_proto(again))) != 0
