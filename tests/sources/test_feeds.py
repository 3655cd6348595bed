from datetime import UTC, datetime
from pathlib import Path

import pytest

from sources.feeds import FeedError, ItemStatus, detect_format, parse_feed

DATA = Path(__file__).parent / "data" / "feeds"


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_newsml_item_with_rights_and_embargo():
    [item] = parse_feed(read("newsml_usable.xml"))
    assert item.guid == "urn:newsml:ritzau.dk:20251120:sanctions"
    assert item.version == 1 and item.status == ItemStatus.USABLE and item.replaces == ""
    assert item.embargoed_until == datetime(2025, 11, 20, 11, 0, tzinfo=UTC)
    assert item.rights_notice.startswith("Copyright 2025 Ritzau.")
    assert "May only be shared internally" in item.rights_notice
    assert item.body.count("\n\n") == 1 and item.language == "en"


def test_newsml_correction_and_kill():
    [update] = parse_feed(read("newsml_update.xml"))
    assert update.version == 2 and update.replaces == update.guid
    [kill] = parse_feed(read("newsml_kill.xml"))
    assert kill.status == ItemStatus.WITHDRAWN and kill.version == 3


def test_ninjs_items_validated_with_rights_embargo_and_kill():
    first, kill = parse_feed(read("ninjs_items.json"))
    assert detect_format(read("ninjs_items.json")) == "ninjs"
    assert first.embargoed_until == datetime(2025, 11, 20, 11, 0, tzinfo=UTC)
    assert "Internal use by subscribers only." in first.rights_notice
    assert kill.status == ItemStatus.WITHDRAWN and kill.replaces == first.guid


def test_ninjs_against_schema_is_refused():
    with pytest.raises(FeedError, match="pubstatus"):
        parse_feed(b'{"uri": "urn:x", "pubstatus": "gone"}', format="ninjs")


def test_rss_and_atom():
    first, second = parse_feed(read("outlet.rss"))
    assert first.guid == "outlet-b-4711" and second.guid.endswith("/exports")
    assert first.body.count("\n\n") == 1 and first.rights_notice == "Outlet B. All rights reserved."
    assert first.published_at == datetime(2025, 11, 20, 9, 0, tzinfo=UTC)
    [entry] = parse_feed(read("outlet.atom"))
    assert entry.rights_notice.startswith("DK Medier") and entry.url.endswith("/sanctions")


def test_unrecognised_input_is_refused():
    with pytest.raises(FeedError, match="Unrecognised"):
        parse_feed(b"plain text")
