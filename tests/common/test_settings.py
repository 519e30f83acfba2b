"""Each service reads only the settings it uses; production refuses development defaults."""

import pytest

from services.common.database import session_settings
from services.common.service_client import CallPolicy
from services.common.settings import ServiceSettings
from services.patients.settings import PatientsSettings

SECRETS = {"CLINIC_JWT_PRIVATE_KEY": "a-private-pem", "CLINIC_DEMO_PASSWORD": "a-demo-password"}


def test_plans_and_scheduling_read_no_signing_secret(monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    settings = ServiceSettings()
    assert not hasattr(settings, "jwt_private_key") and not hasattr(settings, "demo_password")
    assert not any(value in repr(settings) for value in SECRETS.values())


def test_the_patients_service_reads_its_own_on_top(monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    settings = PatientsSettings()
    assert settings.signing_key_pem() == "a-private-pem"
    assert settings.demo_password == "a-demo-password"
    assert isinstance(settings, ServiceSettings)


def test_timeouts_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("CLINIC_DB_STATEMENT_TIMEOUT", "1.5")
    monkeypatch.setenv("CLINIC_DB_LOCK_TIMEOUT", "0.25")
    monkeypatch.setenv("CLINIC_HTTP_CALL_BUDGET", "3")
    settings = ServiceSettings()
    on_every_connection = session_settings(settings)
    assert on_every_connection["statement_timeout"] == "1500"
    assert on_every_connection["lock_timeout"] == "250"
    assert CallPolicy.from_settings(settings).budget == 3.0


@pytest.mark.parametrize(
    ("kind", "extra", "named"),
    [
        (ServiceSettings, {}, ["DATABASE_URL", "CLINIC_JWT_ISSUER"]),
        (PatientsSettings, {}, ["DATABASE_URL", "CLINIC_JWT_ISSUER"]),
        (
            PatientsSettings,
            {"database_url": "postgresql://db/c", "jwt_issuer": "https://x", "demo_password": "d"},
            ["CLINIC_DEMO_PASSWORD"],
        ),
    ],
)
def test_production_refuses_development_defaults(kind, extra, named):
    with pytest.raises(ValueError, match="refusing to start in production") as refused:
        kind(env="production", **extra)
    assert all(name in str(refused.value) for name in named)
