"""A plain (non-editable) `pip install .` must ship every module of stance and the default model."""
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_python_package_of_stance_is_listed_for_installation():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    on_disk = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "stance").rglob("__init__.py")}
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"


def test_the_default_model_is_packaged_with_its_files():
    from stance.encoder import DEFAULT_MODEL_NAME, MANIFEST, WEIGHTS

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    models = ROOT / config["package-dir"]["stance_models"]
    patterns = config["package-data"]["stance_models"]
    shipped = {p.relative_to(models).as_posix() for pattern in patterns for p in models.glob(pattern)}
    assert {f"{DEFAULT_MODEL_NAME}/{MANIFEST}", f"{DEFAULT_MODEL_NAME}/{WEIGHTS}",
            f"{DEFAULT_MODEL_NAME}/MODEL_CARD.md"} <= shipped
