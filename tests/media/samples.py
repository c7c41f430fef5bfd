"""Media files made for the tests: images with EXIF written by Pillow (no piexif), a WAV
from the standard library, the first bytes of the other accepted types, and a JPEG signed
with C2PA by c2pa-python's own Builder with a throw-away ES256 certificate chain (a test CA
and a signing certificate made with ``cryptography``)."""

from __future__ import annotations

import io
import wave
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import ExifTags, Image

SIGNER_NAME, SIGNER_ORG = "test camera", "trucewatch tests"


def image_bytes(fmt: str = "JPEG", exif: Image.Exif | None = None, colour: int = 10) -> bytes:
    """A 16 x 16 image in ``fmt`` (JPEG, PNG, WEBP), with ``exif`` if given."""
    buf = io.BytesIO()
    img = Image.new("RGB", (16, 16), (colour, 200, 10))
    img.save(buf, fmt, **({"exif": exif} if exif is not None else {}))
    return buf.getvalue()


def exif_of(*, original: str | None = None, offset: str | None = None,
            gps_date: str | None = None, gps_time: tuple[float, float, float] | None = None,
            lat: tuple[str, tuple[float, float, float]] | None = None,
            lon: tuple[str, tuple[float, float, float]] | None = None) -> Image.Exif:  # fmt: skip
    """EXIF with the given DateTimeOriginal, its offset and GPS fields (Pillow's own
    writer: the Exif and GPS IFDs)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "trucewatch tests"  # Pillow writes no EXIF to a PNG without one
    ifd = exif.get_ifd(ExifTags.IFD.Exif)
    if original is not None:
        ifd[ExifTags.Base.DateTimeOriginal] = original
    if offset is not None:
        ifd[ExifTags.Base.OffsetTimeOriginal] = offset
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    if gps_date is not None:
        gps[ExifTags.GPS.GPSDateStamp] = gps_date
    if gps_time is not None:
        gps[ExifTags.GPS.GPSTimeStamp] = gps_time
    if lat is not None:
        gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = lat
    if lon is not None:
        gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = lon
    return exif


def wav_bytes(frames: int = 800) -> bytes:
    """A short mono 8 kHz WAV of silence."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * frames)
    return buf.getvalue()


MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 32
M4A_HEAD = b"\x00\x00\x00\x18ftypM4A \x00\x00\x02\x00M4A isom" + b"\x00" * 32
HEIC_HEAD = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32
MP3_ID3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 32
MP3_FRAME = b"\xff\xfb\x90\x64" + b"\x00" * 413
OGG_HEAD = b"OggS\x00\x02" + b"\x00" * 40


# --------------------------------------------------------------------------- C2PA


def _cert(subject: x509.Name, issuer: x509.Name, key: ec.EllipticCurvePrivateKey,
          signing_key: ec.EllipticCurvePrivateKey, ca: bool) -> x509.Certificate:  # fmt: skip
    now = datetime.now(UTC)
    usage = {name: False for name in ("digital_signature", "content_commitment",
                                      "key_encipherment", "data_encipherment", "key_agreement",
                                      "key_cert_sign", "crl_sign", "encipher_only",
                                      "decipher_only")}  # fmt: skip
    usage.update({"key_cert_sign": True, "crl_sign": True} if ca else {"digital_signature": True})
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(days=1))
               .not_valid_after(now + timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None),
                              critical=True)
               .add_extension(x509.KeyUsage(**usage), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False))  # fmt: skip
    if not ca:  # C2PA's certificate profile: an extended key usage and the issuer's key id
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        ).add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            signing_key.public_key()), critical=False)  # fmt: skip
    return builder.sign(signing_key, hashes.SHA256())


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, SIGNER_ORG)])  # fmt: skip


def make_chain() -> tuple[bytes, bytes]:
    """``(certificate chain PEM: signer then CA, signer's private key PEM)``, ES256."""
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = _cert(_name("trucewatch test CA"), _name("trucewatch test CA"), ca_key, ca_key, True)
    leaf = _cert(_name(SIGNER_NAME), _name("trucewatch test CA"), key, ca_key, False)
    pem = serialization.Encoding.PEM
    chain = leaf.public_bytes(pem) + ca.public_bytes(pem)
    private = key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())  # fmt: skip
    return chain, private


MANIFEST = {
    "claim_generator_info": [{"name": "trucewatch tests", "version": "1"}],
    "title": "patrol.jpg",
    "assertions": [{"label": "c2pa.actions", "data": {"actions": [{
        "action": "c2pa.created",
        "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture",
    }]}}],
}  # fmt: skip


def signed_jpeg(source: bytes | None = None) -> bytes:
    """A JPEG carrying a C2PA manifest signed by the test chain (c2pa-python's Builder)."""
    return signed_jpeg_and_ca(source)[0]


def signed_jpeg_and_ca(source: bytes | None = None) -> tuple[bytes, bytes]:
    """:func:`signed_jpeg` and the PEM of the test CA that issued its signer (a new chain
    each call)."""
    import c2pa

    chain, key = make_chain()
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, chain, key,
                                                       None))  # fmt: skip
    out = io.BytesIO()
    c2pa.Builder(MANIFEST).sign(signer, "image/jpeg", io.BytesIO(source or image_bytes()), out)
    end = b"-----END CERTIFICATE-----"
    ca = chain[chain.index(end) + len(end):].strip() + b"\n"
    return out.getvalue(), ca
