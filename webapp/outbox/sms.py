"""SMS through the HTTP gateway of the settings: the request built from the body template, its answer judged.

The body template holds {phone} and {text} (no other placeholder):
- GET: the template is the query string added to the URL ("to={phone}&text={text}"); the values are URL-encoded.
- POST: a template that starts with "{" or "[" is JSON (the values are JSON-escaped, so the template quotes them:
  {"to": "{phone}", "text": "{text}"}) and is sent as application/json; any other is a form
  ("to={phone}&text={text}", values URL-encoded) sent as application/x-www-form-urlencoded.
The Authorization header, when set, is sent as it is and never written to an error or a log.
A gateway on this host or the local network is fine; a link-local address (169.254.0.0/16, fe80::/10: the cloud
metadata service lives there) or a metadata host name never is, typed or resolved (see unsafe_host()).
"""
import ipaddress
import json
import re
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote_plus, urlsplit

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
PLACEHOLDERS = ("phone", "text")
METHODS = ("GET", "POST")
TIMEOUT = 10  # seconds, per request
ERROR_BODY = 200  # characters of the gateway's answer kept in last_error
HELD_SMS = "No SMS gateway configured"  # last_error of an SMS held until a gateway is set (shown translated)


# Cloud metadata services: the names they answer to, and AWS's IPv6 address (a unique-local one).
METADATA_HOSTS = frozenset({"metadata", "metadata.google.internal", "metadata.goog", "instance-data",
                            "instance-data.ec2.internal"})
METADATA_ADDRESSES = frozenset({ipaddress.ip_address("fd00:ec2::254")})


def _literal_address(host: str):
    """The address a host written as an IP means, also in the forms the C resolver reads ("2852039166",
    "0xa9.0xfe.0xa9.0xfe"); None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if not re.fullmatch(r"[0-9a-fA-Fx.]+", host):
        return None
    try:
        return ipaddress.ip_address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def unsafe_address(address) -> bool:
    """Link-local (the metadata service's 169.254.169.254 among them), multicast, or a metadata address."""
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_link_local or address.is_multicast or address in METADATA_ADDRESSES


def unsafe_host(host: str | None) -> bool:
    """A URL's host that must never be the gateway: a metadata name, or an address unsafe_address() refuses."""
    name = (host or "").rstrip(".").lower().split("%")[0]
    if name in METADATA_HOSTS:
        return True
    address = _literal_address(name)
    return address is not None and unsafe_address(address)


class UnsafeGateway(Exception):
    """The gateway's address is link-local or a cloud metadata service's: nothing is sent there."""


def check_destination(url: str) -> None:
    """Refuse a gateway whose host is, or resolves to, an unsafe address (a DNS name may point anywhere).
    The resolver is asked again when connecting: a name that changes its answer in between is not caught."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not unsafe_host(host):
        try:
            found = socket.getaddrinfo(host, parts.port or 80, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return  # not resolvable: connecting fails and says so
        if not any(unsafe_address(ipaddress.ip_address(str(info[4][0]).split("%")[0])) for info in found):
            return
    raise UnsafeGateway(f"{host} is a link-local or cloud metadata address, not an SMS gateway; nothing was sent")


@dataclass(frozen=True)
class SmsGateway:
    url: str
    method: str
    body_template: str
    authorization: str | None
    timeout: int = TIMEOUT

    @property
    def address(self) -> str:
        """host:port, for errors: never the path or query, which may carry a key."""
        parts = urlsplit(self.url)
        return f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


def gateway_settings() -> SmsGateway | None:
    """The gateway of the settings, or None when SMS are to stay in the outbox."""
    from webapp.settings.service import company_settings

    settings = company_settings()
    if not (settings.sms_enabled and settings.sms_url and settings.sms_body_template):
        return None
    return SmsGateway(url=settings.sms_url, method=(settings.sms_method or "POST").upper(),
                      body_template=settings.sms_body_template, authorization=settings.sms_authorization or None)


def unknown_placeholders(template: str) -> list[str]:
    """The placeholders of a template other than {phone} and {text}."""
    return sorted({name for name in PLACEHOLDER.findall(template) if name not in PLACEHOLDERS})


def is_json(template: str) -> bool:
    return template.lstrip().startswith(("{", "["))


def fill(template: str, phone: str, text: str, escape) -> str:
    """The template with {phone} and {text} replaced by their escaped values (other braces left alone)."""
    values = {"phone": phone, "text": text}
    return PLACEHOLDER.sub(lambda match: escape(values[match.group(1)]) if match.group(1) in values
                           else match.group(0), template)


def json_escape(value: str) -> str:
    """The value as the inside of a JSON string (the template supplies the quotes)."""
    return json.dumps(value, ensure_ascii=False)[1:-1]


def build_request(gateway: SmsGateway, phone: str, text: str) -> urllib.request.Request:
    """The HTTP request that sends one SMS."""
    headers = {"User-Agent": "provider-console-sms/1"}
    if gateway.authorization:
        headers["Authorization"] = gateway.authorization
    if gateway.method == "GET":
        query = fill(gateway.body_template.strip().lstrip("?&"), phone, text, quote_plus)
        separator = "&" if urlsplit(gateway.url).query else "?"
        url = gateway.url + (separator + query if query else "")
        return urllib.request.Request(url, headers=headers, method="GET")
    if is_json(gateway.body_template):
        body = fill(gateway.body_template, phone, text, json_escape)
        headers["Content-Type"] = "application/json; charset=utf-8"
    else:
        body = fill(gateway.body_template.strip(), phone, text, quote_plus)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return urllib.request.Request(gateway.url, data=body.encode(), headers=headers, method="POST")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not followed: it would carry the Authorization header to another address."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(NoRedirects)


class GatewayRefused(Exception):
    """The gateway answered with an HTTP error status."""

    def __init__(self, status: int, reason: str, body: str):
        super().__init__(f"HTTP {status} {reason}".strip() + (f": {body}" if body else ""))
        self.status = status


def send_sms(gateway: SmsGateway, phone: str, text: str) -> None:
    """One SMS through the gateway; a 2xx answer is success, anything else raises."""
    check_destination(gateway.url)
    request = build_request(gateway, phone, text)
    try:
        with _opener.open(request, timeout=gateway.timeout) as response:
            status = response.status
            if 200 <= status < 300:
                return
            raise GatewayRefused(status, response.reason or "", _answer(response))
    except urllib.error.HTTPError as error:
        with error:
            raise GatewayRefused(error.code, error.reason or "", _answer(error)) from None


def _answer(response) -> str:
    try:
        body = response.read(ERROR_BODY * 4)
    except Exception:  # the body of a failed answer is only a detail
        return ""
    return " ".join(body.decode("utf-8", "replace").split())[:ERROR_BODY]


def refused_for_good(error: Exception) -> bool:
    """A 4xx (but 408 Request Timeout and 429 Too Many Requests) or a redirect will not change by trying again;
    5xx and network failures will be retried."""
    if isinstance(error, UnsafeGateway):
        return True
    if not isinstance(error, GatewayRefused):
        return False
    return 300 <= error.status < 500 and error.status not in (408, 429)


def describe(error: Exception, gateway: SmsGateway) -> str:
    """A short account of the failure, without the Authorization header or the URL's path and query."""
    if isinstance(error, GatewayRefused):
        detail = str(error)
    elif isinstance(error, urllib.error.URLError):
        reason = error.reason
        detail = f"{getattr(reason, 'strerror', None) or reason} ({gateway.address})"
    elif isinstance(error, OSError):
        detail = f"{error.strerror or error} ({gateway.address})"
    else:
        detail = str(error)
    text = " ".join(f"{type(error).__name__}: {detail}".split())
    for secret in secrets_of(gateway):
        text = text.replace(secret, "***")
    return text


def secrets_of(gateway: SmsGateway) -> list[str]:
    """The Authorization header's value and its credentials (after the scheme), longest first."""
    if not gateway.authorization:
        return []
    value = gateway.authorization.strip()
    parts = value.split(None, 1)
    found = {value}
    if len(parts) == 2 and len(parts[1].strip()) >= 4:
        found.add(parts[1].strip())
    query = urlsplit(gateway.url).query
    if query:
        found.add(query)
    return sorted(found, key=len, reverse=True)
