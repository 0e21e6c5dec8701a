from tests.gitops.gitrepo import hermetic_git  # noqa: F401 - autouse for every test here
