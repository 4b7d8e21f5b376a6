"""The relay's two WebSocket doors, /ws/dispatch and /ws/crew, and the commands clients send on
them: above the domains, since a client's position is the crews' and its status changes and
acks are the incidents'. What streams the events (outbox, hub, bus) is server/relay, below the
domains, and knows none of them.

    routes.py      the two endpoints
    connection.py  one socket: hello → welcome → replay → live, and the client's messages
    messages.py    what goes over the wire, both ways
    pacing.py      how much a client may make the server do (pure bookkeeping)
    receipts.py    a crew's acks become delivery receipts
    revocation.py  a revoked token's sockets close
"""
