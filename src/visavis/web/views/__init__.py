"""The pages, by audience: :mod:`.counselor` (logged in) and :mod:`.client` (the guest
link), with what both share in :mod:`.shared`."""
