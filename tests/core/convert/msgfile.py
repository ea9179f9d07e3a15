"""A minimal Outlook .msg writer for tests: an OLE compound file (MS-CFB v3) holding the
MAPI streams extract-msg reads (MS-OXMSG). No library writes .msg, so the tests build one.

Simplification: siblings are chained through their right links instead of a balanced
red-black tree; readers (olefile, which extract-msg uses) traverse, so that is enough.
"""

from __future__ import annotations

import datetime as dt
import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI = 64
MINI_CUTOFF = 4096
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
FREESECT = 0xFFFFFFFF
NOSTREAM = 0xFFFFFFFF

PT_LONG = 0x0003
PT_SYSTIME = 0x0040
PT_UNICODE = 0x001F
PT_BINARY = 0x0102


@dataclass
class _Node:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list[_Node] = field(default_factory=list)

    def stream(self, name: str, data: bytes) -> _Node:
        self.children.append(_Node(name, 2, data))
        return self

    def storage(self, name: str) -> _Node:
        node = _Node(name, 1)
        self.children.append(node)
        return node


def _chain(fat: list[int], first: int, count: int) -> None:
    for k in range(count):
        fat[first + k] = first + k + 1 if k < count - 1 else ENDOFCHAIN


def _cfb(root: _Node) -> bytes:
    """Serialize the tree as a version 3 compound file (streams under 4096 bytes in the
    mini stream, as the format requires)."""
    entries: list[_Node] = []

    def number(node: _Node) -> None:
        entries.append(node)
        for child in node.children:
            number(child)

    number(root)
    ids = {id(n): i for i, n in enumerate(entries)}
    mini = b""
    minifat: list[int] = []
    big: list[bytes] = []
    starts: dict[int, tuple[str, int]] = {}  # entry -> ("mini"|"big", first sector index)
    for n in entries:
        if n.kind != 2 or not n.data:
            continue
        if len(n.data) < MINI_CUTOFF:
            count = -(-len(n.data) // MINI)
            first = len(minifat)
            minifat += [0] * count
            _chain(minifat, first, count)
            starts[id(n)] = ("mini", first)
            mini += n.data.ljust(count * MINI, b"\0")
        else:
            count = -(-len(n.data) // SECTOR)
            starts[id(n)] = ("big", len(big))
            padded = n.data.ljust(count * SECTOR, b"\0")
            big += [padded[i:i + SECTOR] for i in range(0, len(padded), SECTOR)]
    minifat_bytes = struct.pack(f"<{len(minifat)}I", *minifat) if minifat else b""
    minifat_sectors = -(-len(minifat_bytes) // SECTOR)
    minifat_bytes = minifat_bytes.ljust(minifat_sectors * SECTOR, b"\xff")
    mini_sectors = -(-len(mini) // SECTOR)
    dir_sectors = -(-len(entries) // 4)
    fat_sectors = 1
    while fat_sectors * 128 < (fat_sectors + dir_sectors + minifat_sectors + mini_sectors
                               + len(big)):
        fat_sectors += 1
    assert fat_sectors <= 109
    fat = [FREESECT] * (fat_sectors * 128)
    for i in range(fat_sectors):
        fat[i] = FATSECT
    first_dir = fat_sectors
    _chain(fat, first_dir, dir_sectors)
    first_minifat = first_dir + dir_sectors
    _chain(fat, first_minifat, minifat_sectors)
    first_mini = first_minifat + minifat_sectors
    _chain(fat, first_mini, mini_sectors)
    first_big = first_mini + mini_sectors
    for n in entries:
        where = starts.get(id(n))
        if where and where[0] == "big":
            _chain(fat, first_big + where[1], -(-len(n.data) // SECTOR))

    directory = b""
    for n in entries:
        name = n.name.encode("utf-16-le")
        assert len(name) <= 62
        kids = [ids[id(c)] for c in n.children]
        # Children as a chain of right siblings (readers traverse, they do not balance).
        right = NOSTREAM
        parent = next((p for p in entries if n in p.children), None)
        if parent is not None:
            pos = parent.children.index(n)
            if pos + 1 < len(parent.children):
                right = ids[id(parent.children[pos + 1])]
        start, size = ENDOFCHAIN, 0
        if n.kind == 5 and mini:
            start, size = first_mini, len(mini)
        where = starts.get(id(n))
        if where:
            start = where[1] if where[0] == "mini" else first_big + where[1]
            size = len(n.data)
        directory += struct.pack(
            "<64sHBBIII16sIQQIQ",
            name.ljust(64, b"\0"), len(name) + 2, n.kind, 1,
            NOSTREAM, right, kids[0] if kids else NOSTREAM, b"\0" * 16, 0, 0, 0,
            start, size,
        )
    for _ in range(len(entries), dir_sectors * 4):  # unused entries
        directory += struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM,
                                 NOSTREAM, b"\0" * 16, 0, 0, 0, 0, 0)

    difat = list(range(fat_sectors)) + [FREESECT] * (109 - fat_sectors)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        bytes.fromhex("D0CF11E0A1B11AE1"), b"\0" * 16, 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6,
        0, fat_sectors, first_dir, 0, MINI_CUTOFF,
        first_minifat if minifat_sectors else ENDOFCHAIN, minifat_sectors, ENDOFCHAIN, 0,
    ) + struct.pack("<109I", *difat)
    return (header + struct.pack(f"<{len(fat)}I", *fat) + directory + minifat_bytes
            + mini.ljust(mini_sectors * SECTOR, b"\0") + b"".join(big))


def _props(header: bytes, props: list[tuple[int, int, bytes]]) -> bytes:
    """A __properties_version1.0 stream: header then 16-byte entries."""
    out = header
    for prop_id, prop_type, value in props:
        out += struct.pack("<II", (prop_id << 16) | prop_type, 0x6) + value.ljust(8, b"\0")
    return out


def _string_props(node: _Node, strings: dict[int, str]) -> list[tuple[int, int, bytes]]:
    props = []
    for prop_id, text in strings.items():
        data = text.encode("utf-16-le")  # the stream has no terminator; the size counts it
        node.stream(f"__substg1.0_{prop_id:04X}{PT_UNICODE:04X}", data)
        props.append((prop_id, PT_UNICODE, struct.pack("<II", len(data) + 2, 0)))
    return props


def build_msg(
    *, subject: str, sender_name: str, sender_email: str, to: str, body: str,
    sent: dt.datetime, attachments: list[tuple[str, bytes]] = (),  # type: ignore[assignment]
) -> bytes:
    root = _Node("Root Entry", 5)
    nameid = root.storage("__nameid_version1.0")
    for stream_id in ("0002", "0003", "0004"):
        nameid.stream(f"__substg1.0_{stream_id}0102", b"")
    headers = (f"From: {sender_name} <{sender_email}>\r\nTo: {to}\r\nSubject: {subject}\r\n"
               f"Date: {sent.strftime('%a, %d %b %Y %H:%M:%S +0000')}\r\n\r\n")
    props = _string_props(root, {
        0x001A: "IPM.Note", 0x0037: subject, 0x0E1D: subject, 0x0C1A: sender_name,
        0x0C1F: sender_email, 0x5D01: sender_email, 0x0E04: to, 0x1000: body,
        0x007D: headers,
    })
    filetime = int((sent - dt.datetime(1601, 1, 1, tzinfo=dt.UTC)).total_seconds() * 10**7)
    props.append((0x0039, PT_SYSTIME, struct.pack("<Q", filetime)))
    recip = root.storage("__recip_version1.0_#00000000")
    recip_props = _string_props(recip, {0x3001: to, 0x3003: to, 0x39FE: to})
    recip_props.append((0x0C15, PT_LONG, struct.pack("<I", 1)))
    recip.stream("__properties_version1.0", _props(b"\0" * 8, recip_props))
    for n, (name, data) in enumerate(attachments):
        att = root.storage(f"__attach_version1.0_#{n:08X}")
        att_props = _string_props(att, {0x3707: name, 0x3704: name[:12], 0x3001: name})
        att.stream(f"__substg1.0_3701{PT_BINARY:04X}", data)
        att_props.append((0x3701, PT_BINARY, struct.pack("<II", len(data), 0)))
        att_props.append((0x3705, PT_LONG, struct.pack("<I", 1)))  # by value
        att_props.append((0x0E21, PT_LONG, struct.pack("<I", n)))
        att.stream("__properties_version1.0", _props(b"\0" * 8, att_props))
    header = struct.pack("<8sIIII8s", b"\0" * 8, 1, len(attachments), 1, len(attachments),
                         b"\0" * 8)
    root.stream("__properties_version1.0", _props(header, props))
    return _cfb(root)
