"""A fresh machine without a display or Qt's X11 libraries gets a clear message, not a Qt abort."""

import pytest

from moderator.gui.platform_check import DisplayError, choose_platform


def have_all(_name):
    return "/lib/found.so"


def test_a_desktop_with_everything_lets_qt_choose():
    assert choose_platform(False, {"DISPLAY": ":0"}, "linux", have_all) is None
    assert choose_platform(False, {"WAYLAND_DISPLAY": "wayland-0"}, "linux", lambda _: None) is None
    assert choose_platform(False, {}, "darwin", lambda _: None) is None


def test_missing_xcb_libraries_are_named_with_the_install_command():
    with pytest.raises(DisplayError, match="sudo apt install libxcb-cursor0$"):
        choose_platform(False, {"DISPLAY": ":0"}, "linux", lambda name: None if name == "xcb-cursor" else "x.so")


def test_no_display_is_explained_and_a_screenshot_needs_none():
    with pytest.raises(DisplayError, match="no display found"):
        choose_platform(False, {}, "linux", have_all)
    assert choose_platform(True, {}, "linux", have_all) == "offscreen"


def test_an_explicit_platform_is_respected():
    assert choose_platform(False, {"QT_QPA_PLATFORM": "offscreen"}, "linux", lambda _: None) is None


def test_forcing_x11_still_names_the_missing_libraries():
    forced = {"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}
    with pytest.raises(DisplayError, match="libxcb-cursor0"):
        choose_platform(False, forced, "linux", lambda name: None if name == "xcb-cursor" else "x.so")
    assert choose_platform(False, forced, "linux", have_all) is None
