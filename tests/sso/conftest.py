"""A real OpenID provider for the single sign-on tests: the npm ``oidc-provider`` package, run by Node on
127.0.0.1 on a free port for the whole session (tests/sso/provider/provider.mjs)."""

import json
import shutil
import socket
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from commissioning import sso

PROVIDER_DIR = Path(__file__).parent / "provider"
PROJECT_DIR = Path(__file__).resolve().parents[2]
CLIENT_ID = "council-commissioning"
CLIENT_SECRET = "a-client-secret-for-tests"  # the local test provider's
APP = "http://testserver"
TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"

# Entra ID sends group object IDs, not names.
OFFICERS_GROUP = "b5c3a9e2-0f3e-4d0c-8a7e-2f6c1d9b4a11"
COMMISSIONERS_GROUP = "c1e8f7d2-3a4b-4c5d-9e6f-7a8b9c0d1e22"
ACCW_GROUP = "d2f9a8e3-4b5c-4d6e-8f7a-8b9c0d1e2f33"
UNMAPPED_GROUP = "e3a0b9f4-5c6d-4e7f-9a8b-9c0d1e2f3a44"
ADMIN_APP_ROLE = "Commissioning.Administrator"


def _entra(name: str, given: str, family: str, **claims):
    upn = f"{name}@council.example"
    return {
        "email": upn,
        "email_verified": True,
        "name": f"{given} {family}",
        "given_name": given,
        "family_name": family,
        "preferred_username": upn,
        "oid": str(uuid.uuid5(uuid.NAMESPACE_DNS, upn)),
        "tid": TENANT,
        **claims,
    }


# The overage shape: Entra ID names the groups claim in _claim_names and points at Graph instead of listing it.
_OVERAGE = {
    "_claim_names": {"groups": "src1"},
    "_claim_sources": {"src1": {"endpoint": f"https://graph.windows.net/{TENANT}/users/x/getMemberObjects"}},
}

ACCOUNTS = {
    "alice": {
        "claims": _entra("alice", "Alice", "Smith", groups=[COMMISSIONERS_GROUP, ACCW_GROUP]),
        "amr": ["pwd", "mfa"],
    },
    "omar": {"claims": _entra("omar", "Omar", "Khan", groups=[OFFICERS_GROUP]), "amr": ["pwd"]},
    "olive": {"claims": _entra("olive", "Olive", "Grant", roles=[ADMIN_APP_ROLE], **_OVERAGE), "amr": ["pwd", "mfa"]},
    "oscar": {"claims": _entra("oscar", "Oscar", "Brown", **_OVERAGE)},
    "stranger": {"claims": _entra("stranger", "Sam", "Stranger", groups=[UNMAPPED_GROUP])},
    "wrong-audience": {
        "claims": _entra("wrongaud", "Wendy", "Aud", groups=[OFFICERS_GROUP]),
        "tamper": {"claims": {"aud": "another-application"}},
    },
    "expired": {"claims": _entra("expired", "Ed", "Expired", groups=[OFFICERS_GROUP]), "tamper": {"expired": True}},
    "forged": {"claims": _entra("forged", "Fay", "Forged", groups=[OFFICERS_GROUP]), "tamper": {"forged": True}},
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """The provider's issuer URL, once it answers its discovery document."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("single sign-on tests need Node.js (node) to run the local OpenID provider: apt-get install nodejs")
    if not (PROJECT_DIR / "node_modules" / "oidc-provider").exists():
        pytest.fail("single sign-on tests need the npm package oidc-provider: run `make install` (npm ci)")
    port = _free_port()
    config = tmp_path_factory.mktemp("oidc") / "provider.json"
    config.write_text(
        json.dumps(
            {
                "port": port,
                "client": {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": [f"{APP}/accounts/login/sso/callback/"],
                    "post_logout_redirect_uris": [f"{APP}/accounts/login/"],
                    "grant_types": ["authorization_code"],
                    "response_types": ["code"],
                    "token_endpoint_auth_method": "client_secret_post",
                },
                "accounts": ACCOUNTS,
            }
        )
    )
    process = subprocess.Popen(  # noqa: S603 (our own script)
        [node, str(PROVIDER_DIR / "provider.mjs"), str(config)],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        said = []
        # It prints "ready" once listening (after any warnings, e.g. about the Node.js version).
        for line in process.stdout:
            said.append(line)
            if line.strip() == "ready":
                break
        else:
            raise RuntimeError(f"the OpenID provider did not start: {''.join(said)}")
        issuer = f"http://127.0.0.1:{port}"
        requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).raise_for_status()
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def sso_settings(settings, oidc_provider):
    """Single sign-on switched on against the local provider."""
    settings.OIDC_ISSUER = oidc_provider
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    sso._cache.clear()
    yield settings
    sso._cache.clear()


def at_provider(authorize_url: str, login: str) -> str:
    """Signs ``login`` in at the provider like a browser would, returning the app's callback URL it sends back."""
    browser = requests.Session()
    url, signed_in = authorize_url, False
    for _ in range(10):
        if url.startswith(APP):
            return url
        if "/interaction/" in url and not signed_in:
            response = browser.post(url, data={"login": login}, allow_redirects=False, timeout=10)
            signed_in = True
        else:
            response = browser.get(url, allow_redirects=False, timeout=10)
        assert response.status_code in (302, 303), response.text
        url = urljoin(url, response.headers["Location"])
    raise AssertionError(f"the provider never sent the browser back to the app (last at {url})")


def callback_path(callback_url: str) -> str:
    return callback_url.removeprefix(APP)
