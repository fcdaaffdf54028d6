/**
 * SNMPv3 privacy for net-snmp under Deno. net-snmp encrypts with node:crypto's "aes-128-cfb",
 * "aes-256-cfb" and "des-cbc", which Deno's node:crypto does not have (it throws "Unknown cipher"), so
 * authPriv would fail against every agent. This replaces only the cipher step of net-snmp's
 * Encryption.algorithms entries, keeping its key localisation and IV construction:
 *
 * - AES (RFC 3826 §3.1): CFB with 128-bit segments, built from the AES block function (ECB, one block).
 * - DES (RFC 3414 §8.1.1): DES-CBC, computed as 3DES-EDE-CBC with K1 = K2 = K3, which equals single DES.
 *
 * Applied once, on the first v3 session with privacy, and only when the runtime lacks the ciphers.
 */
import { Buffer } from "node:buffer";
import { netSnmp, nodeCrypto } from "./net_snmp.ts";

let installed = false;

/** Makes net-snmp's AES and DES privacy work on this runtime (net-snmp must be loaded). Idempotent. */
export function ensureUsmPrivacy(): void {
  if (installed) return;
  installed = true;
  const snmp = netSnmp();
  const have = new Set(nodeCrypto().getCiphers());
  const algorithms = snmp.Encryption.algorithms as Record<number, PrivAlgorithm>;
  const P = snmp.PrivProtocols as Record<string, number>;
  if (!have.has("aes-128-cfb") || !have.has("aes-256-cfb")) {
    for (const name of ["aes", "aes256b", "aes256r"]) {
      const alg = algorithms[P[name]];
      if (alg === undefined) continue;
      alg.encryptPdu = encryptAes;
      alg.decryptPdu = decryptAes;
    }
  }
  if (!have.has("des-cbc")) {
    const des = algorithms[P.des];
    if (des !== undefined) {
      des.encryptPdu = encryptDes;
      des.decryptPdu = decryptDes;
    }
  }
}

/** The entry net-snmp keeps per privacy protocol. */
interface PrivAlgorithm {
  KEY_LENGTH: number;
  BLOCK_LENGTH: number;
  localizationAlgorithm: (
    alg: PrivAlgorithm,
    authProtocol: number,
    password: string,
    engineId: Buffer,
  ) => Buffer;
  encryptPdu: unknown;
  decryptPdu: unknown;
}

/** The authoritative engine, as net-snmp passes it. */
interface Engine {
  engineID: Buffer;
  engineBoots: number;
  engineTime: number;
}

function encryptAes(
  scopedPdu: Buffer,
  privProtocol: number,
  privPassword: string,
  authProtocol: number,
  engine: Engine,
): { encryptedPdu: Buffer; msgPrivacyParameters: Buffer } {
  const aes = (netSnmp().Encryption.algorithms as Record<number, PrivAlgorithm>)[privProtocol];
  const key = aes.localizationAlgorithm(aes, authProtocol, privPassword, engine.engineID);
  const salt = nodeCrypto().randomBytes(8);
  const iv = netSnmp().Encryption.generateIvAes(aes, engine.engineBoots, engine.engineTime, salt) as Buffer;
  return { encryptedPdu: Buffer.from(aesCfb128(key, iv, scopedPdu, true)), msgPrivacyParameters: salt };
}

function decryptAes(
  encryptedPdu: Buffer,
  privProtocol: number,
  privParameters: Buffer,
  privPassword: string,
  authProtocol: number,
  engine: Engine,
): Buffer {
  const aes = (netSnmp().Encryption.algorithms as Record<number, PrivAlgorithm>)[privProtocol];
  const key = aes.localizationAlgorithm(aes, authProtocol, privPassword, engine.engineID);
  if (privParameters.length !== 8) {
    throw new Error(`AES privacy parameters are ${privParameters.length} bytes, not 8`);
  }
  const iv = netSnmp().Encryption.generateIvAes(
    aes,
    engine.engineBoots,
    engine.engineTime,
    privParameters,
  ) as Buffer;
  return Buffer.from(aesCfb128(key, iv, encryptedPdu, false));
}

/**
 * AES in CFB mode with 128-bit segments (NIST SP 800-38A §6.3): each keystream block is the AES
 * encryption of the previous ciphertext block (the IV first); a short last block uses part of it.
 */
export function aesCfb128(key: Uint8Array, iv: Uint8Array, input: Uint8Array, encrypt: boolean): Uint8Array {
  const ecb = nodeCrypto().createCipheriv(key.length === 32 ? "aes-256-ecb" : "aes-128-ecb", key, null);
  ecb.setAutoPadding(false);
  const out = new Uint8Array(input.length);
  let feedback: Uint8Array = iv;
  for (let off = 0; off < input.length; off += 16) {
    const stream = ecb.update(feedback);
    const n = Math.min(16, input.length - off);
    for (let i = 0; i < n; i++) out[off + i] = input[off + i] ^ stream[i];
    feedback = encrypt ? out.subarray(off, off + 16) : input.subarray(off, off + 16);
  }
  return out;
}

/** DES-CBC without padding, as 3DES-EDE with one key three times (E_K(D_K(E_K(x))) = E_K(x)). */
export function desCbc(key: Uint8Array, iv: Uint8Array, input: Uint8Array, encrypt: boolean): Uint8Array {
  if (input.length % 8 !== 0) throw new Error(`DES input of ${input.length} bytes is not a multiple of 8`);
  const k = Buffer.concat([key.subarray(0, 8), key.subarray(0, 8), key.subarray(0, 8)]);
  const c = encrypt
    ? nodeCrypto().createCipheriv("des-ede3-cbc", k, iv)
    : nodeCrypto().createDecipheriv("des-ede3-cbc", k, iv);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(input), c.final()]);
}

/** RFC 3414 §8.1.1.1: key = first 8 bytes of the localized key, pre-IV = the next 8. */
function desKeyAndPreIv(privPassword: string, authProtocol: number, engineId: Buffer): [Buffer, Buffer] {
  const localized = netSnmp().Authentication.passwordToKey(authProtocol, privPassword, engineId) as Buffer;
  return [localized.subarray(0, 8), localized.subarray(8, 16)];
}

function encryptDes(
  scopedPdu: Buffer,
  _privProtocol: number,
  privPassword: string,
  authProtocol: number,
  engine: Engine,
): { encryptedPdu: Buffer; msgPrivacyParameters: Buffer } {
  const [key, preIv] = desKeyAndPreIv(privPassword, authProtocol, engine.engineID);
  // Salt: our engine boots (1: no persistent state, as net-snmp does) and 4 random bytes.
  const salt = Buffer.concat([Buffer.from([0, 0, 0, 1]), nodeCrypto().randomBytes(4)]);
  const iv = Buffer.alloc(8);
  for (let i = 0; i < 8; i++) iv[i] = preIv[i] ^ salt[i];
  const padded = Buffer.alloc(Math.ceil(scopedPdu.length / 8) * 8);
  scopedPdu.copy(padded);
  return { encryptedPdu: Buffer.from(desCbc(key, iv, padded, true)), msgPrivacyParameters: salt };
}

function decryptDes(
  encryptedPdu: Buffer,
  _privProtocol: number,
  privParameters: Buffer,
  privPassword: string,
  authProtocol: number,
  engine: Engine,
): Buffer {
  const [key, preIv] = desKeyAndPreIv(privPassword, authProtocol, engine.engineID);
  if (privParameters.length !== 8) {
    throw new Error(`DES privacy parameters are ${privParameters.length} bytes, not 8`);
  }
  const iv = Buffer.alloc(8);
  for (let i = 0; i < 8; i++) iv[i] = preIv[i] ^ privParameters[i];
  return Buffer.from(desCbc(key, iv, encryptedPdu, false));
}
