"""Thin asyncio pumps: read bytes, hand them to the gateway, write its replies in frame order."""
