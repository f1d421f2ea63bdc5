# Debian's python3-cryptography: its Rust and OpenSSL bindings (extension
# modules, with OpenSSL's libraries) and cffi's backend, which the OpenSSL
# binding imports from C (no import statement names it): hashes, HMAC,
# symmetric encryption with a fixed key and nonce, and an Ed25519 key pair
# from a fixed seed.
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives import serialization
import cryptography

h = hashes.Hash(hashes.SHA256())
h.update(b"cryo")
print(h.finalize().hex())
m = hmac.HMAC(b"key", hashes.SHA512())
m.update(b"message")
print(m.finalize().hex()[:32])
aead = AESGCM(bytes(range(32)))
ct = aead.encrypt(bytes(12), b"secret data", b"aad")
print(ct.hex(), aead.decrypt(bytes(12), ct, b"aad"))
key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
sig = key.sign(b"hello")
print(pub.hex(), sig.hex()[:32])
key.public_key().verify(sig, b"hello")
print("verified", cryptography.__version__)
