"""`cxledger demo`: a realistic company written through the ledger's real commands."""
