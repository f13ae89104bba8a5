"""NotificationOutbox: messages the company owes a customer (password reset links, survey
links), one per cause in the log, waiting to be sent."""
