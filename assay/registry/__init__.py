"""The model registry: named models, numbered versions, files by format, publishing, lineage.

```python
from assay.registry import Registry

m = Registry().create_model("churn", tags="tabular, prod", description="# Churn")
v = m.create_version(hyperparameters={"C": 1.0}, config={"threshold": 0.4})
v.add_format("pkl", pickle.dumps(model))
v.publish()
```
"""

from assay.registry.audit import AuditEntry, acting_as, current_user
from assay.registry.registry import Registry
from assay.registry.tables import (
    FileChunk,
    ModelVersion,
    RegisteredModel,
    StoredFile,
    VersionFormat,
)

#: The short name the API uses for a registered model.
Model = RegisteredModel

__all__ = [
    "AuditEntry",
    "FileChunk",
    "Model",
    "ModelVersion",
    "RegisteredModel",
    "Registry",
    "StoredFile",
    "VersionFormat",
    "acting_as",
    "current_user",
]
