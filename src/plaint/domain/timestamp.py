"""RFC 3161 time-stamps of checkpoints: the request sent to a time-stamp authority (TSA),
the token taken out of its response, and the checks that a token is the TSA's signature,
over this exact data, at the time it states.

ASN.1 is read and written by `asn1crypto`; signatures are checked by `cryptography`. The
network is not touched here (see `plaint.records.anchoring`). What is checked
(RFC 3161 §2.4.2, RFC 5652 §5.4):

- the response's status is *granted* (or *granted with modifications*);
- the token is CMS SignedData whose content is a TSTInfo;
- the TSTInfo's message imprint is the SHA-256 of the data, and its nonce the one sent;
- the signer is the TSA certificate the organisation trusts (issuer and serial, or its
  subject key identifier), and that certificate may sign time-stamps (extended key usage
  `timeStamping`, RFC 3161 §2.3);
- the signed attributes name the TSTInfo as the content, carry its digest, and their
  signature verifies with the certificate's key (RSA PKCS #1 v1.5 or ECDSA).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asn1crypto import cms, core, tsp, x509
from cryptography import x509 as cx509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID

#: The line kind appended to a checkpoint file after the checkpoint it time-stamps.
VERSION = "plaint-timestamp/1"

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


class TimestampError(ValueError):
    """A response or token that is not a valid time-stamp of the data; says why."""


@dataclass(frozen=True, slots=True)
class Timestamp:
    """What a verified token says."""

    gen_time: datetime
    serial_number: int
    policy: str
    tsa: str  # the TSA certificate's subject, as RFC 4514 text


def imprint(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def timestamp_request(data: bytes, *, nonce: int) -> bytes:
    """The DER TimeStampReq for the SHA-256 of `data`, asking for the TSA's certificate."""
    request = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": imprint(data),
            },
            "nonce": nonce,
            "cert_req": True,
        }
    )
    return bytes(request.dump())


def timestamp_token(response: bytes) -> bytes:
    """The DER token (a CMS ContentInfo) out of a DER TimeStampResp, or why there is none."""
    try:
        outer = core.Sequence.load(response)  # a refusal may carry the status alone
        status_info = tsp.PKIStatusInfo.load(outer[0].dump())
        status = status_info["status"].native
        texts = status_info["status_string"].native or []
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise TimestampError(f"the answer is not an RFC 3161 response ({exc})") from None
    if status not in ("granted", "granted_with_mods"):
        said = f": {'; '.join(str(t) for t in texts)}" if texts else ""
        raise TimestampError(f"the authority refused ({status}{said})")
    try:
        token = tsp.TimeStampResp.load(response)["time_stamp_token"]
    except (ValueError, TypeError, KeyError) as exc:
        raise TimestampError(f"the authority granted but sent no token ({exc})") from None
    if not isinstance(token, cms.ContentInfo) or token.native is None:
        raise TimestampError("the authority granted but sent no token")
    return bytes(token.dump())


def _attribute(attrs: Any, name: str) -> Any:
    for attr in attrs:
        if attr["type"].native == name:
            values = attr["values"]
            if len(values) != 1:
                raise TimestampError(f"the signed attribute {name} has {len(values)} values")
            return values[0]
    raise TimestampError(f"the signed attributes lack {name}")


def _signer_is(sid: Any, cert: x509.Certificate) -> bool:
    if sid.name == "issuer_and_serial_number":
        return bool(
            sid.chosen["issuer"] == cert.issuer
            and sid.chosen["serial_number"].native == cert.serial_number
        )
    return bool(sid.chosen.native == cert.key_identifier)


def _may_timestamp(cert: cx509.Certificate) -> bool:
    try:
        usage = cert.extensions.get_extension_for_class(cx509.ExtendedKeyUsage).value
    except cx509.ExtensionNotFound:
        return False
    return ExtendedKeyUsageOID.TIME_STAMPING in usage


def timestamp_verify(
    token: bytes, data: bytes, *, tsa_cert: bytes, nonce: int | None = None
) -> Timestamp:
    """Check that `token` (DER) is a time-stamp of `data` signed by `tsa_cert` (DER);
    return what it states, or raise `TimestampError` saying what fails."""
    try:
        trusted = x509.Certificate.load(tsa_cert)
        trusted_c = cx509.load_der_x509_certificate(tsa_cert)
    except ValueError as exc:
        raise TimestampError(f"the trusted TSA certificate cannot be read ({exc})") from None
    try:
        info = cms.ContentInfo.load(token)
        if info["content_type"].native != "signed_data":
            raise TimestampError("the token is not CMS SignedData")
        signed = info["content"]
        encap = signed["encap_content_info"]
        if encap["content_type"].native != "tst_info":
            raise TimestampError("the token's content is not a TSTInfo")
        tst_der = encap["content"].contents
        tst = tsp.TSTInfo.load(tst_der)
        message_imprint = tst["message_imprint"]
        signers = signed["signer_infos"]
        gen_time = tst["gen_time"].native
    except TimestampError:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise TimestampError(f"the token cannot be read ({exc})") from None
    if message_imprint["hash_algorithm"]["algorithm"].native != "sha256":
        raise TimestampError("the token's imprint is not SHA-256")
    if message_imprint["hashed_message"].native != imprint(data):
        raise TimestampError("the token time-stamps other data (its imprint differs)")
    if nonce is not None and tst["nonce"].native != nonce:
        raise TimestampError("the token's nonce is not the one sent")
    if len(signers) != 1:
        raise TimestampError(f"the token has {len(signers)} signers, not one")
    signer = signers[0]
    if not _signer_is(signer["sid"], trusted):
        raise TimestampError("the token is signed by another TSA than the one trusted")
    if not _may_timestamp(trusted_c):
        raise TimestampError("the trusted TSA certificate may not sign time-stamps")
    digest_name = signer["digest_algorithm"]["algorithm"].native
    if digest_name not in _HASHES:
        raise TimestampError(f"the token's digest {digest_name} is not accepted")
    attrs = signer["signed_attrs"]
    if not attrs:
        raise TimestampError("the token has no signed attributes")
    if _attribute(attrs, "content_type").native != "tst_info":
        raise TimestampError("the signed attributes name another content type")
    content_digest = hashlib.new(digest_name, tst_der).digest()
    if _attribute(attrs, "message_digest").native != content_digest:
        raise TimestampError("the TSTInfo was changed after it was signed (digest differs)")
    signed_bytes = b"\x31" + attrs.dump()[1:]  # the SET OF the signature covers (RFC 5652 §5.4)
    signature = signer["signature"].native
    algorithm = _HASHES[digest_name]()
    key = trusted_c.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, signed_bytes, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, signed_bytes, ec.ECDSA(algorithm))
        else:
            raise TimestampError("the TSA's key is neither RSA nor ECDSA")
    except InvalidSignature:
        raise TimestampError("the TSA's signature does not verify") from None
    policy = tst["policy"].native
    return Timestamp(
        gen_time=gen_time,
        serial_number=int(tst["serial_number"].native),
        policy=str(policy),
        tsa=trusted_c.subject.rfc4514_string(),
    )


def certificate_der(raw: bytes) -> bytes:
    """A certificate as DER, from PEM or DER bytes."""
    if raw.lstrip().startswith(b"-----BEGIN"):
        return cx509.load_pem_x509_certificate(raw).public_bytes(Encoding.DER)
    return raw


def timestamp_line(checkpoint_line: str, token: bytes) -> str:
    """The checkpoint-file line that carries `token`, the time-stamp of the checkpoint line
    just before it: ``{"checkpoint":SHA256-OF-THAT-LINE,"token":BASE64,"version":…}``."""
    return json.dumps(
        {
            "checkpoint": imprint(checkpoint_line.encode()).hex(),
            "token": base64.b64encode(token).decode("ascii"),
            "version": VERSION,
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def is_timestamp_line(line: str) -> bool:
    try:
        data = json.loads(line)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("version") == VERSION


def timestamp_line_parse(line: str) -> tuple[str, bytes]:
    """The checkpoint line's SHA-256 (hex) and the token (DER) a timestamp line holds."""
    try:
        data = json.loads(line)
        if not isinstance(data, dict) or data.get("version") != VERSION:
            raise TimestampError(f"not a {VERSION} line")
        digest, token = data["checkpoint"], base64.b64decode(data["token"], validate=True)
        if not isinstance(digest, str) or len(digest) != 64:
            raise TimestampError("its checkpoint hash is not SHA-256 hex")
    except (ValueError, KeyError, TypeError) as exc:
        raise TimestampError(f"not a time-stamp line ({exc})") from None
    return digest, token
