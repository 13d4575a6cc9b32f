"""The registry of 004's ``sampler_registry`` and ``executor_registry``; now ``assay.plugins``.

Kept so that ``from assay.search.registry import ClassRegistry`` goes on working.
"""

from assay.plugins.registry import ClassRegistry

__all__ = ["ClassRegistry"]
