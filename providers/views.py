"""Pages of the providers app. Thin: check permission, call a selector or service, render."""
