"""Every write of procurement, one function per use case (see the modules)."""
