"""Built-in demos; each module defines DEMO, a demos.core.Demo, and keeps only its own idea:
what the demos share is in demos.kit, their datasets in demos.data. dist_worker is the distributed
demo's process side (it defines no DEMO, so the registry passes it over)."""
