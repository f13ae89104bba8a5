"""The billing read model: each customer's balance, invoices and payments."""
