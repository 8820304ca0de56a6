"""Pages of the strategies app. Thin: check permission, call a selector or service, render."""
