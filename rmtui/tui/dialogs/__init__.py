"""Modal dialogs: forms, confirmations, help."""
