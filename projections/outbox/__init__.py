"""NotificationOutbox: messages the company owes a customer (password reset links, survey
links, referral invitations), one per cause in the log, waiting to be sent. A message's address
and token stay sealed in its cause (see :mod:`projections.outbox.addressing`)."""
