"""The Purchase aggregate: one order of a customer, through any channel, and its refunds.

Purchases live in their own streams (one per order id), not in the customer's, so a customer's
stream stays short however much they buy, and an order id can be recorded only once.
"""
