from recognition.cooldown import Cooldown, Verdict

COOLDOWN_S = 60.0


def test_a_first_sighting_is_new_and_repeats_within_the_cooldown_are_not() -> None:
    cooldown: Cooldown[int] = Cooldown(sighting_interval_s=10.0)
    assert cooldown.observe("face:1", 0.0, COOLDOWN_S) == (Verdict.NEW, None)
    cooldown.bind("face:1", 501, 0.0)
    assert cooldown.observe("face:1", 1.0, COOLDOWN_S) == (Verdict.QUIET, 501)
    assert cooldown.observe("face:1", 10.0, COOLDOWN_S) == (Verdict.SIGHTING, 501)
    assert cooldown.observe("face:1", 15.0, COOLDOWN_S) == (Verdict.QUIET, 501)


def test_the_cooldown_runs_from_the_last_sighting_not_the_first() -> None:
    cooldown: Cooldown[int] = Cooldown(sighting_interval_s=10.0)
    cooldown.bind("plate:30A123BC", 7, 0.0)
    for now_s in range(50, 500, 50):  # seen every 50 s: always within 60 s of the last time
        verdict, ref = cooldown.observe("plate:30A123BC", float(now_s), COOLDOWN_S)
        assert verdict is Verdict.SIGHTING
        assert ref == 7


def test_a_gap_longer_than_the_cooldown_makes_a_new_alert() -> None:
    cooldown: Cooldown[int] = Cooldown(sighting_interval_s=10.0)
    cooldown.bind("face:1", 501, 0.0)
    assert cooldown.observe("face:1", 61.0, COOLDOWN_S) == (Verdict.NEW, None)


def test_subjects_are_independent_and_forget_starts_over() -> None:
    cooldown: Cooldown[int] = Cooldown(sighting_interval_s=10.0)
    cooldown.bind("face:1", 1, 0.0)
    assert cooldown.observe("face:2", 1.0, COOLDOWN_S)[0] is Verdict.NEW
    cooldown.forget("face:1")
    assert cooldown.observe("face:1", 2.0, COOLDOWN_S)[0] is Verdict.NEW


def test_memory_is_bounded_by_forgetting_the_subject_seen_longest_ago() -> None:
    cooldown: Cooldown[int] = Cooldown(sighting_interval_s=10.0, max_subjects=3)
    for n in range(5):
        cooldown.bind(f"plate:{n}", n, float(n))
    assert len(cooldown) == 3
    assert cooldown.observe("plate:0", 5.0, COOLDOWN_S)[0] is Verdict.NEW
    assert cooldown.observe("plate:4", 5.0, COOLDOWN_S)[0] is Verdict.QUIET


def test_prune_drops_only_expired_subjects() -> None:
    cooldown: Cooldown[int] = Cooldown(sighting_interval_s=10.0)
    cooldown.bind("old", 1, 0.0)
    cooldown.bind("recent", 2, 100.0)
    cooldown.prune(120.0, COOLDOWN_S)
    assert len(cooldown) == 1
    assert cooldown.observe("recent", 121.0, COOLDOWN_S)[1] == 2
