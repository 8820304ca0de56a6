"""Pages of the scrutiny app. Thin: check permission, call a selector or service, render."""
