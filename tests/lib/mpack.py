"""
NAME
    mpack - a minimal MessagePack encoder for the Python tests and the bench

DESCRIPTION
    The Python standard library has no MessagePack, and the tests must not
    depend on pip. pack() writes nil, bool, int, float64, str, list/tuple
    and dict with the smallest header for each size. Only for making test
    input: the project's own encoder is proto/ (C), and proto/fixtures/gen.py
    keeps its own writer on purpose, so the golden fixtures do not depend on
    test code.
"""
import struct


def _head(n, fix, fix_max, codes):
    """fix-type header when n < fix_max, else the 8/16/32-bit code (None:
    that width does not exist for the type)."""
    if n < fix_max:
        return bytes([fix | n])
    for code, fmt, limit in zip(codes, (">B", ">H", ">I"), (1 << 8, 1 << 16, 1 << 32)):
        if code is not None and n < limit:
            return bytes([code]) + struct.pack(fmt, n)
    raise ValueError("too long for MessagePack: %d" % n)


def pack(obj):
    if obj is None:
        return b"\xc0"
    if obj is True:
        return b"\xc3"
    if obj is False:
        return b"\xc2"
    if isinstance(obj, int):
        if 0 <= obj < 128:
            return bytes([obj])
        if -32 <= obj < 0:
            return struct.pack("b", obj)
        return b"\xd3" + struct.pack(">q", obj)
    if isinstance(obj, float):
        return b"\xcb" + struct.pack(">d", obj)
    if isinstance(obj, str):
        b = obj.encode()
        return _head(len(b), 0xA0, 32, (0xD9, 0xDA, 0xDB)) + b
    if isinstance(obj, (list, tuple)):
        return _head(len(obj), 0x90, 16, (None, 0xDC, 0xDD)) + b"".join(pack(x) for x in obj)
    if isinstance(obj, dict):
        return _head(len(obj), 0x80, 16, (None, 0xDE, 0xDF)) + b"".join(
            pack(k) + pack(v) for k, v in obj.items())
    raise TypeError(type(obj))
