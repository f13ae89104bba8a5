"""The exclusive events read model: events, their seats and guest lists."""
