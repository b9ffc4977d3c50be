"""Every patrol write, one module per part of the work; views, the API, tasks and commands all
call these, and each checks who may change what (`selectors.common.change_or_403`).

- `rostering.py`: making a roster (the solver and the rotation), publishing, withdrawing;
- `rotation.py`: the ten-household rotation that fills the household shifts;
- `swaps.py`: asking for a swap, deciding it, withdrawing it;
- `shifts.py`: absences, settling a shift or a turn by hand (outcome, buy-out, stand-in),
  reminders;
- `checkin.py`: check-in with proof of presence, and closing a shift (`hooks.py`: where a
  finding goes next; `signs.py`: the rotating codes a check-in is verified against);
- `proof.py`: a village's rule on positions; `displays.py`: display links for a point's screen.
"""
