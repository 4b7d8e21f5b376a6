from server.relay.hub import OVERFLOW, Subscriber
from server.relay.outbox import StoredEvent


def _event(seq: int) -> StoredEvent:
    return StoredEvent(seq=seq, type="alert", data='{"id":1}')


def test_a_subscriber_queues_up_to_its_limit() -> None:
    subscriber = Subscriber("dispatch", queue_max=3)
    for seq in (1, 2, 3):
        subscriber.offer(_event(seq))
    assert not subscriber.overflowed
    assert subscriber.queue.qsize() == 3


def test_overflow_replaces_the_queue_with_one_marker_and_ignores_the_rest() -> None:
    subscriber = Subscriber("dispatch", queue_max=2)
    for seq in range(1, 6):
        subscriber.offer(_event(seq))
    assert subscriber.overflowed
    assert subscriber.queue.qsize() == 1
    assert subscriber.queue.get_nowait() is OVERFLOW


def test_wire_puts_the_type_first_and_splices_the_stored_json() -> None:
    assert _event(7).wire() == '{"type":"alert","seq":7,"data":{"id":1}}'
