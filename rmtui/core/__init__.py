"""The core of rmtui: model, storage, validation and every mutation.

Nothing here imports textual, click or rich; the CLI and the TUI are thin
skins over :mod:`rmtui.core.ops`.
"""
