"""Information governance: the records a council can defend (issue 20).

The retention schedule and legal holds, subject access searches and redaction, and the public accessibility
statement and privacy notice. It sits at the top of the layers (beside the dashboards and open data), because
it reads and disposes of every app's records, each through its owning app's services.
"""
