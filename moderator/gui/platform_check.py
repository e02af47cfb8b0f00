"""Before Qt starts: find a display, and name the missing system libraries instead of Qt aborting."""

from __future__ import annotations

import ctypes.util
import os
import sys
from collections.abc import Callable, Mapping

# Libraries Qt's X11 plugin loads (Qt ≥ 6.5) that desktop installs sometimes lack → Debian/Ubuntu package.
XCB_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
    "xkbcommon-x11": "libxkbcommon-x11-0",
}


class DisplayError(Exception):
    """No usable display; the message tells the user what to do."""


def choose_platform(
    screenshot: bool,
    environ: Mapping[str, str] = os.environ,
    platform: str = sys.platform,
    find_library: Callable[[str], str | None] = ctypes.util.find_library,
) -> str | None:
    """The Qt platform to force (``offscreen``), None to let Qt choose, or DisplayError.

    A platform the user forced is left alone, except X11 (``xcb``): its libraries are checked all the
    same, since a missing one makes Qt abort with a message that names none of them.
    """
    forced = environ.get("QT_QPA_PLATFORM", "")
    if not platform.startswith("linux") or (forced and not forced.startswith("xcb")):
        return None
    if forced:
        environ = {key: value for key, value in environ.items() if key != "WAYLAND_DISPLAY"}  # X11 it is
    if not environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY"):
        if screenshot:
            return "offscreen"  # a screenshot needs no screen
        raise DisplayError(
            "no display found (neither DISPLAY nor WAYLAND_DISPLAY is set). Run Moderator on a desktop, "
            "or use --screenshot PATH to render the window to a file."
        )
    if environ.get("WAYLAND_DISPLAY"):
        return None
    missing = [package for lib, package in XCB_LIBRARIES.items() if not find_library(lib)]
    if missing:
        if screenshot:
            return "offscreen"
        raise DisplayError(
            "Qt needs system libraries that are not installed: "
            f"{', '.join(missing)}. On Debian or Ubuntu: sudo apt install {' '.join(missing)}"
        )
    return None
