"""Staff's view of the messages owed to people: their delivery (status, tries, last error;
never an address or a token), and an admin's retry of a failed one."""
