"""Everything that runs git. ``run`` is the one module that calls the git binary
(argument lists, never a shell); the other modules are pure functions over what it
returns (a merge of three deals, a file's timeline, an audit of commits), tested
against real repositories."""

from funnelctl.i18n import _


def over_limit(size: int, limit: int) -> str:
    """Why a version of a deal file that git holds is not read: its size (as the
    loader refuses such a file)."""
    return _("{size} bytes, over the limit of {limit}").format(size=f"{size:,}",
                                                               limit=f"{limit:,}")
