"""stance's shipped model artefacts (installed as the package `stance_models`).

Each sub-directory is one model in stance's embedded format: `stance_model.json` (manifest) and
`weights.safetensors`; `stance.encoder.load_embedded(dir)` loads one, `stance.encoder.default_model_dir()`
finds the default. See each directory's MODEL_CARD.md.
"""
