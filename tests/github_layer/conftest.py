"""The GitHub layer's tests publish a branch first: they share the git layer's prompt repository."""

from tests.git_layer.conftest import prompt_repo  # noqa: F401 - pytest fixture
from tests.standins.github_server import github_standin  # noqa: F401 - pytest fixture
