"""Each service reads only the settings it uses; production refuses development defaults."""

import pytest

from services.common.database import session_settings
from services.common.service_client import CallPolicy
from services.common.settings import ServiceSettings
from services.patients.settings import PatientsSettings
from services.plans.settings import PlansSettings
from services.scheduling.settings import SchedulingSettings

SECRETS = {"CLINIC_JWT_PRIVATE_KEY": "a-private-pem", "CLINIC_DEMO_PASSWORD": "a-demo-password"}
CLIENT_SECRETS = {
    "CLINIC_PLANS_CLIENT_SECRET": "plans-own-secret",
    "CLINIC_SCHEDULING_CLIENT_SECRET": "scheduling-own-secret",
}


@pytest.mark.parametrize("kind", [PlansSettings, SchedulingSettings])
def test_plans_and_scheduling_read_no_signing_secret(monkeypatch, kind):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    settings = kind()
    assert not hasattr(settings, "jwt_private_key") and not hasattr(settings, "demo_password")
    assert not any(value in repr(settings) for value in SECRETS.values())


@pytest.mark.parametrize(
    ("kind", "own", "other"),
    [
        (PlansSettings, "CLINIC_PLANS_CLIENT_SECRET", "scheduling_client_secret"),
        (SchedulingSettings, "CLINIC_SCHEDULING_CLIENT_SECRET", "plans_client_secret"),
    ],
)
def test_plans_and_scheduling_each_read_only_their_own_client_secret(monkeypatch, kind, own, other):
    for name, value in CLIENT_SECRETS.items():
        monkeypatch.setenv(name, value)
    settings = kind()
    assert other not in kind.model_fields and not hasattr(settings, other)
    held = [
        v.get_secret_value()
        for v in settings.model_dump().values()
        if hasattr(v, "get_secret_value")
    ]
    assert held == [CLIENT_SECRETS[own]]


def test_the_patients_service_holds_every_client_secret(monkeypatch):
    for name, value in CLIENT_SECRETS.items():
        monkeypatch.setenv(name, value)
    settings = PatientsSettings()
    assert settings.client_secret("plans") == "plans-own-secret"
    assert settings.client_secret("scheduling") == "scheduling-own-secret"


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
        (PlansSettings, {}, ["DATABASE_URL", "CLINIC_PLANS_CLIENT_SECRET"]),
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


def test_the_slot_grid_comes_from_the_environment_and_divides_the_hour(monkeypatch):
    assert SchedulingSettings().slot_minutes == 15
    monkeypatch.setenv("CLINIC_SLOT_MINUTES", "20")
    assert SchedulingSettings().slot_minutes == 20
    for minutes in ("7", "45", "0", "90"):
        monkeypatch.setenv("CLINIC_SLOT_MINUTES", minutes)
        with pytest.raises(ValueError, match="slot_minutes"):
            SchedulingSettings()
