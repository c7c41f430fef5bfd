"""Webhook hosts: a subscription cannot make the server call loopback, private or
reserved addresses unless the operator allows them (docs/security.md)."""

from __future__ import annotations

import pytest

from trucewatch.app.alerts import check_webhook_url
from trucewatch.app.views.errors import BadQuery
from trucewatch.app.webhook_hosts import WebhookHostRefused, WebhookHosts


def fixed(mapping: dict[str, list[str]]):
    def resolve(host: str, port: int) -> list[str]:
        if host not in mapping:
            raise OSError("name not known")
        return mapping[host]
    return resolve


DNS_TABLE = {"alerts.example.org": ["93.184.215.14"], "intranet.example.org": ["10.1.2.3"],
             "split.example.org": ["93.184.215.14", "127.0.0.1"]}
DNS = fixed(DNS_TABLE)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:5432/", "http://localhost.:8000/x", "http://[::1]/", "http://10.0.0.5/",
    "http://192.168.1.1/", "http://172.16.0.1/", "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/", "http://0.0.0.0/", "http://224.0.0.1/", "http://[::ffff:127.0.0.1]/",
    "http://intranet.example.org/hook", "http://split.example.org/hook",
    "http://nowhere.example.org/hook",
])
def test_loopback_private_reserved_and_unresolvable_hosts_are_refused(url: str) -> None:
    hosts = WebhookHosts(resolve=fixed({"localhost": ["127.0.0.1"], **DNS_TABLE}))
    with pytest.raises(WebhookHostRefused):
        hosts.check(url)


def test_public_hosts_pass_and_the_operator_may_allow_names_and_networks() -> None:
    WebhookHosts(resolve=DNS).check("https://alerts.example.org/hook")
    WebhookHosts(resolve=DNS).check("https://93.184.215.14:8443/hook")
    allowed = WebhookHosts(["intranet.example.org", "127.0.0.1", "192.168.0.0/16"], resolve=DNS)
    allowed.check("http://intranet.example.org/hook")
    allowed.check("http://127.0.0.1:9000/hook")
    allowed.check("http://192.168.7.7/hook")
    with pytest.raises(WebhookHostRefused, match=r"10\.9\.9\.9"):
        allowed.check("http://10.9.9.9/hook")


def test_a_refused_host_is_a_field_error_of_the_subscription() -> None:
    with pytest.raises(BadQuery, match="webhook_url") as err:
        check_webhook_url("http://127.0.0.1:5432/", WebhookHosts(resolve=DNS))
    assert "webhook_allowed_hosts" in str(err.value)
    assert check_webhook_url("http://127.0.0.1:9/", WebhookHosts(["127.0.0.1"])) \
        == "http://127.0.0.1:9/"
