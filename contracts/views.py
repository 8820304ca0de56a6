"""Pages of the contracts app. Thin: check permission, call a selector or service, render."""
