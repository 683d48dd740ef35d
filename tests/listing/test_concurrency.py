"""Concurrent writers and deletes: no lost write, and no listing left pointing at a deleted item."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import grpc
import psycopg

from tests.listing.test_delete_media import delete
from tests.listing.test_set_listing_media import SELLER, get_media, set_media


def run_together(count: int, work) -> list:
    """Run `work(index)` in `count` threads that start at the same moment; return results or errors."""
    barrier = threading.Barrier(count)

    def start(index: int):
        barrier.wait(timeout=10)
        try:
            return work(index)
        except grpc.RpcError as error:
            return error

    with ThreadPoolExecutor(max_workers=count) as executor:
        return list(executor.map(start, range(count)))


def test_two_writers_same_version_one_aborted(listing, catalogue):
    for round_number in range(5):
        listing_id = f"contested-{round_number}"
        base = catalogue.add_media(SELLER)
        set_media(listing, listing_id=listing_id, images=[base])
        choices = [[catalogue.add_media(SELLER)], [catalogue.add_media(SELLER), base]]

        def write(index: int, listing_id=listing_id, choices=choices):
            return set_media(listing, listing_id=listing_id, images=choices[index], expected=1)

        results = run_together(2, write)

        failures = [result for result in results if isinstance(result, grpc.RpcError)]
        winners = [index for index, result in enumerate(results) if not isinstance(result, grpc.RpcError)]
        assert len(failures) == 1
        assert failures[0].code() == grpc.StatusCode.ABORTED
        assert len(winners) == 1
        stored = get_media(listing, listing_id)
        assert stored.version == 2
        assert [media.id for media in stored.images] == choices[winners[0]]


def test_two_creators_of_new_listing_one_aborted(listing):
    results = run_together(2, lambda index: set_media(listing, listing_id="brand-new", expected=0))

    codes = sorted(result.code().name if isinstance(result, grpc.RpcError) else "OK" for result in results)
    assert codes == ["ABORTED", "OK"]
    assert get_media(listing, "brand-new").version == 1


def test_unconditional_writers_each_counted(listing, catalogue):
    images = [catalogue.add_media(SELLER) for _ in range(8)]

    results = run_together(8, lambda index: set_media(listing, listing_id="busy", images=[images[index]]))

    assert not [result for result in results if isinstance(result, grpc.RpcError)]
    assert sorted(result.version for result in results) == list(range(1, 9))
    assert get_media(listing, "busy").version == 8


def test_deletes_racing_attaches_leave_no_dangling_media(listing, catalogue, database_url):
    rng = random.Random(7)
    catalogue.lookup_delay_seconds = 0.02
    media_ids = [catalogue.add_media(SELLER) for _ in range(40)]
    outcomes: dict[str, int] = {"attached": 0, "attach_rejected": 0, "deleted": 0, "delete_refused": 0}
    outcome_lock = threading.Lock()
    stop = threading.Event()

    def count(outcome: str) -> None:
        with outcome_lock:
            outcomes[outcome] += 1

    def attacher(seed: int) -> None:
        local = random.Random(seed)
        for number in range(30):
            chosen = local.sample(media_ids, 3)
            try:
                # A new listing each time, so that no later write hides a dangling item.
                set_media(listing, listing_id=f"race-{seed}-{number}", images=chosen)
                count("attached")
            except grpc.RpcError as error:
                assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error
                count("attach_rejected")

    def deleter(seed: int) -> None:
        local = random.Random(seed)
        for media_id in local.sample(media_ids, 8):
            # Spread the deletes over the attaches instead of running them all at the start.
            stop.wait(0.05)
            try:
                delete(listing, media_id, detach=local.random() < 0.5)
                count("deleted")
            except grpc.RpcError as error:
                assert error.code() in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.NOT_FOUND), error
                count("delete_refused")

    seeds = [rng.randrange(1 << 30) for _ in range(8)]
    threads = [threading.Thread(target=attacher, args=(seed,)) for seed in seeds[:5]]
    threads += [threading.Thread(target=deleter, args=(seed,)) for seed in seeds[5:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in threads)
    assert outcomes["attached"] > 0
    assert outcomes["deleted"] > 0
    with psycopg.connect(database_url) as connection:
        used = {media_id for (media_id,) in connection.execute("SELECT media_id FROM listing.listing_media")}
    dangling = used & catalogue.deleted_ids
    assert dangling == set(), f"listings point at deleted media: {sorted(dangling)}"
    assert used <= catalogue.live_ids(SELLER)
