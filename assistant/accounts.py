"""Staff accounts (reps and admins) as the surfaces use them: sign-in, the current role, `lastmile users`.

The accounts live in SQL with argon2id hashes (`assistant/storage/users.py`, whose store already speaks
in the surfaces' terms: add, verify, role, list, remove, set_password). This module is the name ui/
imports, so no page or command reaches into storage; `assistant.wiring.build_accounts` opens it.
"""

from __future__ import annotations

from assistant.storage.users import ROLES, UserError, UserView
from assistant.storage.users import UserStore as StaffAccounts

__all__ = ["ROLES", "StaffAccounts", "UserError", "UserView"]
