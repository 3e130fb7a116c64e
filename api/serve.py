"""Serving the API with uvicorn, one process or several, with Nagle's algorithm off.

With `--workers N` uvicorn binds the listening socket itself and hands it to its worker
processes; it makes that socket with `proto` 0, accepted connections inherit it, and asyncio
turns `TCP_NODELAY` on only for sockets that say `IPPROTO_TCP`. So every keep-alive request
after a connection's first waited ~40 ms for the client's delayed ACK (BENCHMARKS.md §3). Here
the listener is rebuilt over the same descriptor with `proto` set, and asyncio sets
`TCP_NODELAY` on every connection again. One process (`API_WORKERS=1`) never had the problem:
uvicorn lets asyncio make the listener from `getaddrinfo` there.
"""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

TCP_FAMILIES = (socket.AF_INET, socket.AF_INET6)


def with_tcp_proto(sock: socket.socket) -> socket.socket:
    """The same listening socket, saying IPPROTO_TCP (a no-op for one that already does, and
    for a Unix socket)."""
    if sock.family not in TCP_FAMILIES or sock.type != socket.SOCK_STREAM or sock.proto:
        return sock
    return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())


class NoDelayConfig(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        return with_tcp_proto(super().bind_socket())


def serve(host: str, port: int, workers: int) -> None:
    config = NoDelayConfig(
        "api.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # uvicorn keeps its hands off logging; the request middleware logs each request with
        # its request id and case id.
        log_config=None,
        access_log=False,
    )
    if workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()
