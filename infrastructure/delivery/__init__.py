"""Delivery: the sender of the notification outbox (mail over SMTP), its state kept apart
from the outbox read model, the links and unsubscribe tokens it writes, and the development
mail catcher."""
