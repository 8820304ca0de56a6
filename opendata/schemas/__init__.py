"""The official OCDS schemas the exports are validated against (copied, see PROVENANCE.md), and the patches
for extensions whose schema the project does not hold, written from their documentation."""
