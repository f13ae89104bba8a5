"""The customer success read model: each customer's health inputs and their success plans."""
