"""Nik, the agent: a ReAct loop over the manuals that yields typed events (no Qt here)."""

from nikdesk.agent.loop import Agent
from nikdesk.core.events import Event, Outcome, Source
from nikdesk.core.settings import Settings

__all__ = ["Agent", "Event", "Outcome", "Settings", "Source"]
