"""Free TCP ports on 127.0.0.1 for the servers a benchmark starts (imported by the benchmark scripts)."""
import socket


def free_ports(count):
    """`count` distinct ports nothing listens on now (the sockets that found them are closed again)."""
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports
