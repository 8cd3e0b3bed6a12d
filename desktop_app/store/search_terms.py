"""The search dictionary: every distinct buyer name and service title, with its 1- and
2-character grams, so that a query of one or two characters (too short for the trigram index;
a two-character CJK name) finds its names through an index, then the orders through the
buyer/service indexes, instead of scanning every order.

Terms are only ever added: a term no order uses any more costs a lookup that finds nothing.
Each order carries a key of its buyer name and one of its service title (`name_key`), and so
does every sort index: a common gram's search walks a sort index testing the keys of its
names, reading the names themselves only where a key matches (keys may collide).
Orders written in a bulk load reach the dictionary with their search entries
(`rows.index_search_backlog`); until then the search reads them from the backlog.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection

__all__ = [
    "BUYER",
    "NAME_KEY_FUNCTION",
    "SERVICE",
    "add_terms",
    "add_terms_of",
    "grams",
    "name_key",
    "short_key",
]

BUYER = 1  # `search_terms.kinds` bits: where the term is used
SERVICE = 2


def short_key(text: str) -> str:
    """How a short query and the grams compare: lower case (Unicode-aware)."""
    return text.lower()


NAME_KEY_FUNCTION = "orderdesk_name_key"  # (name) -> name_key(name), in SQL
_KEYS: dict[str, int] = {}  # (names repeat: most orders come from a few buyers and services)


def name_key(name: str) -> int:
    """A 23-bit hash of the lower-cased `name` (three bytes in a record). Names equal but for
    case share a key; so may a few others: a key tells which names are worth reading."""
    key = _KEYS.get(name)
    if key is None:
        if len(_KEYS) > 50_000:
            _KEYS.clear()
        key = _KEYS[name] = zlib.crc32(name.lower().encode()) & 0x7FFFFF
    return key


def grams(term: str) -> set[str]:
    """The distinct 1- and 2-character substrings of `term`, lower-cased."""
    folded = short_key(term)
    found = set(folded)
    found.update(folded[i : i + 2] for i in range(len(folded) - 1))
    return found


def add_terms(conn: Connection, terms: Iterable[tuple[str, int]]) -> int:
    """Make sure each (term, kind bit) is in the dictionary; returns how many terms were new."""
    wanted: dict[str, int] = {}
    for term, kind in terms:
        if term:
            wanted[term] = wanted.get(term, 0) | kind
    if not wanted:
        return 0
    known: dict[str, tuple[int, int]] = {}
    names = list(wanted)
    for start in range(0, len(names), 500):
        chunk = names[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for term_id, term, kinds in conn.exec_driver_sql(
            f"SELECT id, term, kinds FROM search_terms WHERE term IN ({marks})",  # noqa: S608
            tuple(chunk),
        ):
            known[term] = (term_id, kinds)
    # (terms equal but for ASCII case are one entry, as the NOCASE columns compare them)
    folded_known = {term.lower(): value for term, value in known.items()}
    widen: list[tuple[int, int]] = []
    new: dict[str, int] = {}
    for term, kind in wanted.items():
        found = known.get(term) or folded_known.get(term.lower())
        if found is None:
            new[term] = new.get(term, 0) | kind
        elif found[1] | kind != found[1]:
            widen.append((kind, found[0]))
    if widen:
        conn.exec_driver_sql("UPDATE search_terms SET kinds = kinds | ? WHERE id = ?", widen)
    if not new:
        return 0
    conn.exec_driver_sql(
        "INSERT INTO search_terms (term, kinds) VALUES (?, ?) "
        "ON CONFLICT (term) DO UPDATE SET kinds = kinds | excluded.kinds",
        list(new.items()),
    )
    entries: list[tuple[str, int]] = []
    added = list(new)
    for start in range(0, len(added), 500):
        chunk = added[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for term_id, term in conn.exec_driver_sql(
            f"SELECT id, term FROM search_terms WHERE term IN ({marks})",  # noqa: S608
            tuple(chunk),
        ):
            entries.extend((gram, term_id) for gram in grams(term))
    if entries:
        conn.exec_driver_sql(
            "INSERT OR IGNORE INTO search_grams (gram, term_id) VALUES (?, ?)", entries
        )
    return len(new)


def add_terms_of(conn: Connection, pks: Sequence[int]) -> int:
    """Add the buyer names and service titles of the orders `pks` to the dictionary;
    returns how many terms were new."""
    names: list[tuple[str, str]] = []
    for start in range(0, len(pks), 500):
        chunk = list(pks[start : start + 500])
        marks = ", ".join("?" for _ in chunk)
        names.extend(
            conn.exec_driver_sql(
                f"SELECT buyer_name, service_title FROM orders "  # noqa: S608
                f"WHERE pk IN ({marks})",
                tuple(chunk),
            ).tuples()
        )
    return add_terms(
        conn, [term for buyer, service in names for term in ((buyer, BUYER), (service, SERVICE))]
    )
