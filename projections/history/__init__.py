"""The customer history read model (projection ``customer_history``): an index of which log
positions are about which customer, so that a customer's history and the streams behind their
state as of any instant are found without scanning the log."""
