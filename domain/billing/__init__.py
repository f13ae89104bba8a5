"""Billing as the payment provider reports it: invoices, payments, failures and refunds."""
