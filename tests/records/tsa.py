"""A real RFC 3161 time-stamp authority on loopback, for the tests: an HTTP server that
answers `application/timestamp-query` requests with tokens signed by a throw-away ECDSA
key and certificate (extended key usage timeStamping). Its clock is the `gen_time` the
test gives it."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from asn1crypto import cms, core, tsp, x509
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

POLICY = "1.3.6.1.4.1.55555.1.1"


def tsa_certificate(
    name: str = "Loopback TSA", *, time_stamping: bool = True
) -> tuple[ec.EllipticCurvePrivateKey, bytes]:
    """A key and a self-signed certificate (DER) for a TSA."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = cx509.Name([cx509.NameAttribute(NameOID.COMMON_NAME, name)])
    start = datetime(2020, 1, 1, tzinfo=UTC)
    builder = (
        cx509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(cx509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365 * 30))
        .add_extension(cx509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )
    usage = ExtendedKeyUsageOID.TIME_STAMPING if time_stamping else ExtendedKeyUsageOID.CODE_SIGNING
    builder = builder.add_extension(cx509.ExtendedKeyUsage([usage]), critical=True)
    cert = builder.sign(key, hashes.SHA256())
    return key, cert.public_bytes(Encoding.DER)


def _token(
    key: ec.EllipticCurvePrivateKey,
    cert_der: bytes,
    request: tsp.TimeStampReq,
    *,
    serial: int,
    gen_time: datetime,
) -> cms.ContentInfo:
    cert = x509.Certificate.load(cert_der)
    tst_fields: dict[str, Any] = {
        "version": "v1",
        "policy": POLICY,
        "message_imprint": request["message_imprint"],
        "serial_number": serial,
        "gen_time": gen_time,
    }
    if request["nonce"].native is not None:
        tst_fields["nonce"] = request["nonce"].native
    tst = tsp.TSTInfo(tst_fields)
    tst_der = tst.dump()
    attrs = cms.CMSAttributes(
        [
            {"type": "content_type", "values": ["tst_info"]},
            {"type": "message_digest", "values": [hashlib.sha256(tst_der).digest()]},
            {
                "type": "signing_certificate_v2",
                "values": [{"certs": [{"cert_hash": hashlib.sha256(cert_der).digest()}]}],
            },
        ]
    )
    signature = key.sign(b"\x31" + attrs.dump()[1:], ec.ECDSA(hashes.SHA256()))
    signer = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": {
                        "issuer": cert.issuer,
                        "serial_number": cert.serial_number,
                    }
                }
            ),
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": attrs,
            "signature_algorithm": {"algorithm": "sha256_ecdsa"},
            "signature": signature,
        }
    )
    signed = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {"content_type": "tst_info", "content": tst},
            "certificates": [cert] if request["cert_req"].native else [],
            "signer_infos": [signer],
        }
    )
    return cms.ContentInfo({"content_type": "signed_data", "content": signed})


@dataclass
class LoopbackTSA:
    """The running authority: its URL, its certificate (DER), what it was asked."""

    key: ec.EllipticCurvePrivateKey
    cert_der: bytes
    gen_time: datetime
    refuse: bool = False
    requests: list[bytes] = field(default_factory=list)
    url: str = ""
    _server: ThreadingHTTPServer | None = None

    def start(self) -> LoopbackTSA:
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                tsa.requests.append(body)
                if self.headers.get("Content-Type") != "application/timestamp-query":
                    self.send_error(415)
                    return
                if tsa.refuse:  # a response of a status alone (asn1crypto wants a token)
                    status = tsp.PKIStatusInfo(
                        {"status": "rejection", "status_string": ["policy says no"]}
                    ).dump()
                    answer = core.Sequence.load(b"\x30" + bytes([len(status)]) + status)
                else:
                    token = _token(
                        tsa.key,
                        tsa.cert_der,
                        tsp.TimeStampReq.load(body),
                        serial=len(tsa.requests),
                        gen_time=tsa.gen_time,
                    )
                    answer = tsp.TimeStampResp(
                        {"status": {"status": "granted"}, "time_stamp_token": token}
                    )
                data = answer.dump()
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/tsa"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
