"""Before Qt starts on X11: are the system libraries of Qt's xcb platform plugin there?

Without them Qt aborts with "Could not load the Qt platform plugin "xcb"… xcb-cursor0 or libxcb-cursor0 is
needed", whichever library is actually missing. The app looks first and says which packages to install.
Nothing here imports Qt: the check loads the plugin's support library with the system's loader (which Qt would
do a moment later anyway) and, only if that fails, asks ``ldd`` for every library the loader cannot find.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

# The libraries Qt 6's xcb support needs, by the name the loader looks for, and the Debian/Ubuntu package that
# ships each one.
DEBIAN_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb.so.1": "libxcb1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
}
SUPPORT_LIBRARY = "libQt6XcbQpa.so.6"  # what the xcb plugin is built on; it names every system library needed


def uses_xcb(env: Mapping[str, str]) -> bool:
    """Whether Qt will pick its X11 (xcb) platform: asked for by name, or unset on an X11 session."""
    platform = env.get("QT_QPA_PLATFORM", "").strip()
    if platform:
        return platform.split(";")[0].split(":")[0] == "xcb"
    return bool(env.get("DISPLAY")) and not env.get("WAYLAND_DISPLAY")


def support_library() -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec("PySide6")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "Qt" / "lib" / SUPPORT_LIBRARY
    return path if path.exists() else None


def loads(path: Path) -> bool:
    import ctypes

    try:
        ctypes.CDLL(str(path))
    except OSError:
        return False
    return True


def not_found(path: Path) -> list[str]:
    """The libraries ``path`` needs that the loader cannot find, as ``ldd`` lists them."""
    import subprocess

    try:
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    missing = [line.split("=>")[0].strip() for line in out.splitlines() if "=> not found" in line]
    return sorted(set(missing))


def missing_message(missing: list[str]) -> str:
    packages = sorted({DEBIAN_PACKAGES[m] for m in missing if m in DEBIAN_PACKAGES})
    unknown = [m for m in missing if m not in DEBIAN_PACKAGES]
    lines = [f"The desktop app cannot open a window on this X11 display: the system libraries {', '.join(missing)} "
             "are missing (Qt needs them to draw on X11)."]
    if packages:
        lines.append(f"On Debian or Ubuntu, install them with:\n    sudo apt-get install {' '.join(packages)}")
    if unknown:
        lines.append(f"Install the packages of your system that provide {', '.join(unknown)}.")
    lines.append("Every command-line command works without them (ai-wallet --help).")
    return "\n".join(lines)


def x11_problem(env: Mapping[str, str] = os.environ, *, library: Callable[[], Path | None] = support_library,
                load: Callable[[Path], bool] = loads, missing: Callable[[Path], list[str]] = not_found) -> str | None:
    """What to tell the user when Qt would fail to open a window on X11 for lack of system libraries; None when
    it will work (or the platform is not xcb, or the reason is something else, which Qt then says itself)."""
    if not uses_xcb(env):
        return None
    path = library()
    if path is None or load(path):
        return None
    names = missing(path)
    return missing_message(names) if names else None
