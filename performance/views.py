"""Pages of the performance app. Thin: check permission, call a selector or service, render."""
