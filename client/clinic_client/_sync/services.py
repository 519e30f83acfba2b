# Generated from _async/services.py by `make client-code` (ops/client_code.py): do not edit.
"""Each service's own health checks: is the process up, and is it ready (database
reachable, migrations current)? A service that is not ready answers 503
(`ServiceUnavailable`)."""

from clinic_client._sync.engine import Area
from clinic_client.models.patients import Health, Readiness
from clinic_client.operations import PATIENTS, PLANS, SCHEDULING


class Services(Area):
    """The three services' health."""

    @PATIENTS.get("/healthz", own_page=True)
    def patients_health(self) -> Health:
        """The patients service is up."""

    @PATIENTS.get("/readyz", own_page=True)
    def patients_readiness(self) -> Readiness:
        """The patients service is ready."""

    @PLANS.get("/healthz", own_page=True)
    def plans_health(self) -> Health:
        """The plans service is up."""

    @PLANS.get("/readyz", own_page=True)
    def plans_readiness(self) -> Readiness:
        """The plans service is ready."""

    @SCHEDULING.get("/healthz", own_page=True)
    def scheduling_health(self) -> Health:
        """The scheduling service is up."""

    @SCHEDULING.get("/readyz", own_page=True)
    def scheduling_readiness(self) -> Readiness:
        """The scheduling service is ready."""
