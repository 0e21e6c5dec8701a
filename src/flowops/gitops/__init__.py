"""Git hooks: install/uninstall the scripts (install), run one hook (hookrun), what each reports (payload), git access (repo)."""
