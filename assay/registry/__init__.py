"""The model registry: named models, numbered versions, files by format, publishing, lineage."""
