"""The relay, below the domains: the outbox every socket event is written to, the hub that hands
new events to the sockets on this node, the buses that wake the other nodes, and the registry of
open sockets. It knows no domain; the WebSocket doors and the commands clients send on them are
server/sockets, above the domains."""
