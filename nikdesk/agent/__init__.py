"""Nik, the agent: a ReAct loop over the manuals that yields typed events (no Qt here)."""

from nikdesk.agent.chain import AgentSettings
from nikdesk.agent.events import Event, Outcome, Source
from nikdesk.agent.loop import Agent

__all__ = ["Agent", "AgentSettings", "Event", "Outcome", "Source"]
