"""The door for clients: whether a guest link lets its holder in. Everything is in
:mod:`visavis.entry.door`."""
