"""The printable handout of a plan's home program: `GET /v1/plans/{plan_id}/handout`, as an
HTML page (`page.py`) or a PDF (`pdf.py`), both drawn from one `Handout` (`schemas.py`)."""
