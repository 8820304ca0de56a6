"""Settings, one module per environment on top of base.py: local, production, test.

DJANGO_SETTINGS_MODULE picks one; importing this package alone configures nothing.
"""
