"""``assay serve``: a REST prediction endpoint for a trained Predictor or a registered model.

- ``model``: what is served (``ServedModel``), resolved from ``MODEL[@VERSION]``: a Predictor
  id, or a registered model's name with an optional version number (its ``pkl`` file).
- ``rows``: JSON rows checked against the model's Features, each problem naming its row,
  column and what was expected.
- ``app``: the FastAPI application (``/health``, ``/metadata``, ``POST /predict``).
- ``cli``: the ``assay serve`` command (Uvicorn).

Predictions are made in memory by the model's own fitted preprocessing
(``assay.serve.predict_raws`` through ``PortableModel``): nothing is written per request.
"""
