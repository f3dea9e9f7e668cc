/**
 * The server's TLS credentials: PEM files given by the operator (`TLS_CERT`, `TLS_KEY`),
 * or a self-signed certificate made at start-up, as the Kurento tutorials ship a demo
 * keystore so that their page is served over `https:` (browsers expose the camera only to
 * a secure context: W3C Secure Contexts, and Media Capture and Streams section 9).
 *
 * The certificate is made with `@peculiar/x509` over Node's WebCrypto: an ECDSA P-256 key,
 * signed with SHA-256, its names as subject alternative names (RFC 5280 section 4.2.1.6;
 * browsers ignore the common name), extended key usage `serverAuth`, and not a CA
 * (Firefox refuses a CA certificate as a server's).
 *
 * @packageDocumentation
 */

import { createHash, createPrivateKey, KeyObject, webcrypto, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

/** A certificate (chain) and its private key, PEM-encoded, as `https.createServer` takes them. */
export interface TlsCredentials {
  /** The certificate, then any intermediate certificates (PEM). */
  cert: string;
  /** The certificate's private key (PEM, PKCS #8 or the key type's own encoding). */
  key: string;
}

/** A certificate made by {@link createSelfSignedCertificate}. */
export interface SelfSignedCertificate extends TlsCredentials {
  /**
   * The certificate's SHA-256 fingerprint, colon-separated upper-case hex, as `keytool
   * -list` and browsers' certificate viewers print it, to compare before trusting it.
   */
  fingerprint256: string;
  /**
   * Base64 of the SHA-256 of the certificate's SubjectPublicKeyInfo: what Chromium's
   * `--ignore-certificate-errors-spki-list` takes (and HPKP's `pin-sha256`, RFC 7469).
   */
  spkiSha256: string;
  /** The names it is valid for: DNS names and IP addresses. */
  names: string[];
  /** The end of its validity. */
  notAfter: Date;
}

/** How long a self-signed certificate is valid, in days (it is made anew on each start). */
export const SELF_SIGNED_VALID_DAYS = 365;

/** Back-dating of a new certificate's validity against clock skew between machines, in ms. */
const CLOCK_SKEW_MS = 60 * 60 * 1000;

const ECDSA_P256: EcKeyGenParams & EcdsaParams = {
  name: 'ECDSA',
  namedCurve: 'P-256',
  hash: 'SHA-256',
};

/** `name` as a subject alternative name: an IP address or a DNS name (brackets stripped). */
function alternativeName(name: string): x509.JsonGeneralName {
  const bare = name.replace(/^\[(.*)\]$/, '$1');
  return isIP(bare) ? { type: 'ip', value: bare } : { type: 'dns', value: bare };
}

/** Base64 of the SHA-256 of a certificate's SubjectPublicKeyInfo (DER). */
export function spkiSha256(certificate: X509Certificate): string {
  const spki = certificate.publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/**
 * Makes a self-signed server certificate and its key for `names` (host names and IP
 * addresses; `[::1]` as well as `::1`), valid from an hour ago for
 * {@link SELF_SIGNED_VALID_DAYS} days.
 *
 * @throws TypeError when `names` is empty.
 */
export async function createSelfSignedCertificate(
  names: readonly string[],
): Promise<SelfSignedCertificate> {
  if (names.length === 0) throw new TypeError('a certificate needs at least one name');
  const crypto = webcrypto as unknown as Crypto;
  const keys = await crypto.subtle.generateKey(ECDSA_P256, true, ['sign', 'verify']);
  const notBefore = new Date(Date.now() - CLOCK_SKEW_MS);
  const notAfter = new Date(notBefore.getTime() + SELF_SIGNED_VALID_DAYS * 24 * 3600 * 1000);
  const serial = Buffer.from(crypto.getRandomValues(new Uint8Array(16)));
  serial[0]! &= 0x7f; // a positive INTEGER of at most 20 octets (RFC 5280 section 4.1.2.2)
  const generated = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial.toString('hex'),
      name: 'CN=kurento-room self-signed',
      notBefore,
      notAfter,
      keys,
      signingAlgorithm: ECDSA_P256,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(names.map(alternativeName)),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const cert = generated.toString('pem');
  const certificate = new X509Certificate(cert);
  return {
    cert,
    key: KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string,
    fingerprint256: certificate.fingerprint256,
    spkiSha256: spkiSha256(certificate),
    names: [...names],
    notAfter,
  };
}

/**
 * Reads a certificate (chain) and its private key from PEM files and checks that they
 * belong together.
 *
 * @throws Error naming the file that cannot be read or parsed, or saying that the key
 *   is not the certificate's.
 */
export async function readTlsFiles(certFile: string, keyFile: string): Promise<TlsCredentials> {
  const read = async (file: string): Promise<string> => {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      throw new Error(`cannot read ${file}: ${(error as Error).message}`);
    }
  };
  const [cert, key] = await Promise.all([read(certFile), read(keyFile)]);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    throw new Error(`${certFile} is not a PEM certificate`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new Error(`${keyFile} is not a PEM private key (or it is encrypted)`);
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new Error(`${keyFile} is not the private key of the certificate in ${certFile}`);
  }
  return { cert, key };
}
