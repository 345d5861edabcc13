"""What a person glances at from the floor: the instruction, the hold's time left, the keys."""

from __future__ import annotations

import io

from rich.console import Console

from voicecoach.terminal.captions import LiveDisplay, PlainDisplay


def screen_after(*updates) -> str:
    console = Console(file=io.StringIO(), width=100, force_terminal=False)
    display = LiveDisplay(console)
    for update in updates:
        update(display)
    display.close()
    return console.file.getvalue().split("╭")[-1]  # the last frame drawn


def test_the_panel_shows_step_instruction_time_left_and_keys():
    screen = screen_after(
        lambda d: d.show_step("Knee to chest", "Hold for 30 seconds."),
        lambda d: d.show_hold(12.3, 30.0),
    )
    assert "Knee to chest" in screen
    assert "Hold for 30 seconds." in screen
    assert "12 s left" in screen
    assert "s stop" in screen and "p pain" in screen


def test_a_new_instruction_clears_the_finished_holds_bar():
    screen = screen_after(
        lambda d: d.show_step("Knee to chest", "Hold for 30 seconds."),
        lambda d: d.show_hold(0.0, 30.0),
        lambda d: d.show_step("Knee to chest", "Slowly release, and lower your left leg."),
    )
    assert "s left" not in screen


def test_plain_captions_print_each_line_once():
    out = io.StringIO()
    display = PlainDisplay(out)
    display.show_step("Rest", "Breathe slowly.")
    display.show_status("Breathe slowly.")  # what caption-only speech shows
    display.show_status("Paused.")
    assert out.getvalue().count("Breathe slowly.") == 1
    assert "(Paused.)" in out.getvalue()


def test_a_notice_stays_on_screen_above_the_panel_after_the_next_step() -> None:
    console = Console(file=io.StringIO(), width=100, force_terminal=False)
    display = LiveDisplay(console)
    display.show_notice("Before you start", ["Seek medical help immediately if:", "Fever."])
    display.show_step("Lie down", "Lie on your back.")
    display.close()
    last_frame = console.file.getvalue().split("Before you start")[-1]
    assert "Seek medical help immediately if:" in console.file.getvalue()
    assert "Lie on your back." in last_frame  # the panel went on below it


def test_plain_display_prints_each_line_of_a_notice() -> None:
    out = io.StringIO()
    PlainDisplay(out).show_notice("Before you start", ["One.", "Two."])
    assert out.getvalue().splitlines() == ["== Before you start ==", "   One.", "   Two."]
