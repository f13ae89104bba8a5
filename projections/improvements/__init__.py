"""The improvements read model: each announcement, how many were told, and the NPS of its
audience before and after it."""
