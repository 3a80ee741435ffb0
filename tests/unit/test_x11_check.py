"""On X11 without Qt's xcb libraries the app names the packages to install instead of Qt's abort (which names
xcb-cursor0 whatever is missing); anywhere else it stays out of the way."""

from __future__ import annotations

from pathlib import Path

import pytest

from ui.x11_check import DEBIAN_PACKAGES, missing_message, support_library, uses_xcb, x11_problem

X11 = {"DISPLAY": ":0"}


@pytest.mark.parametrize(("env", "xcb"), [
    ({"DISPLAY": ":0"}, True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, True),
    ({"QT_QPA_PLATFORM": "xcb:nograb"}, True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, False),
    ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, False),
    ({}, False),
])
def test_only_when_qt_would_use_xcb(env: dict[str, str], xcb: bool) -> None:
    assert uses_xcb(env) is xcb


def test_the_packages_are_named() -> None:
    problem = x11_problem(X11, library=lambda: Path("/qt/libQt6XcbQpa.so.6"), load=lambda _: False,
                          missing=lambda _: ["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-cursor.so.0"])
    assert problem is not None
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in problem
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1, libxcb-cursor.so.0 are missing" in problem


def test_a_library_of_no_known_package_is_named_as_the_loader_names_it() -> None:
    text = missing_message(["libxcb-icccm.so.4", "libexotic.so.9"])
    assert "sudo apt-get install libxcb-icccm4" in text and "provide libexotic.so.9" in text


def test_silent_when_it_loads_or_is_not_x11() -> None:
    lib = Path("/qt/libQt6XcbQpa.so.6")
    assert x11_problem(X11, library=lambda: lib, load=lambda _: True, missing=lambda _: ["x"]) is None
    assert x11_problem({}, library=lambda: lib, load=lambda _: False, missing=lambda _: ["x"]) is None
    # Some other failure (nothing missing): Qt says it itself.
    assert x11_problem(X11, library=lambda: lib, load=lambda _: False, missing=lambda _: []) is None


def test_every_library_the_xcb_support_needs_has_its_package() -> None:
    """The table covers what this PySide6's xcb support library actually needs (read from its ELF header)."""
    path = support_library()
    assert path is not None
    needed = elf_needed(path.read_bytes())
    qt_own = {n for n in needed if n.startswith("libQt6")}
    libc = {"libstdc++.so.6", "libm.so.6", "libgcc_s.so.1", "libc.so.6"}
    assert needed - qt_own - libc <= set(DEBIAN_PACKAGES), needed - qt_own - libc - set(DEBIAN_PACKAGES)


def elf_needed(data: bytes) -> set[str]:
    """DT_NEEDED entries of a 64-bit little-endian ELF file."""
    import struct

    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    dynamic = next(s for s in sections if s[1] == 6)  # SHT_DYNAMIC
    strtab = sections[dynamic[6]]  # sh_link
    names = set()
    for off in range(dynamic[4], dynamic[4] + dynamic[5], 16):
        tag, value = struct.unpack_from("<qQ", data, off)
        if tag == 1:  # DT_NEEDED
            start = strtab[4] + value
            names.add(data[start:data.index(b"\0", start)].decode())
    return names
