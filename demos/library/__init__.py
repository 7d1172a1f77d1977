"""Built-in demos; each module defines DEMO, a demos.core.Demo."""
