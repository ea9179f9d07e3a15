"""The demo: a separate workspace filled through the real intake pipeline with generated,
fictitious matters (one per naming-rules preset), plus the example exhibit set."""

from intake_desktop.core.demo.documents import DEFAULT_SEED, DemoDocument, Kind, generate_documents
from intake_desktop.core.demo.runner import (
    DemoApp,
    DemoReport,
    DocumentOutcome,
    ExhibitOutcome,
    build_example_exhibits,
    examples_dir,
    is_workspace_empty,
    run_demo,
    workspace_is_empty,
)
from intake_desktop.core.demo.summary import describe

__all__ = [
    "DEFAULT_SEED",
    "DemoApp",
    "DemoDocument",
    "DemoReport",
    "DocumentOutcome",
    "ExhibitOutcome",
    "Kind",
    "build_example_exhibits",
    "describe",
    "examples_dir",
    "generate_documents",
    "is_workspace_empty",
    "run_demo",
    "workspace_is_empty",
]
