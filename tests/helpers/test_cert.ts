/**
 * Self-signed certificates for HTTPS tests, made by openssl (Debian package openssl): a P-256 key and a
 * server certificate for localhost and 127.0.0.1 that rustls accepts as a trust anchor (not a CA: rustls
 * refuses a CA used as the server's own).
 *
 * @example
 * const { cert, key } = await makeTestCert(dir);
 * const client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(cert)] });
 */

/** Whether openssl can be run. */
export function hasOpenssl(): boolean {
  try {
    return new Deno.Command("openssl", { args: ["version"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

/** Writes `<name>.crt` and `<name>.key` (PEM) into `dir`; returns their paths. Throws with openssl's words. */
export async function makeTestCert(dir: string, name = "server"): Promise<{ cert: string; key: string }> {
  const cert = `${dir}/${name}.crt`, key = `${dir}/${name}.key`;
  const made = await new Deno.Command("openssl", {
    args: [
      ...[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "1",
      ],
      ...["-subj", `/CN=${name}`, "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
      ...["-addext", "basicConstraints=critical,CA:FALSE", "-addext", "extendedKeyUsage=serverAuth"],
      ...["-keyout", key, "-out", cert],
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!made.success) {
    throw new Error(`openssl could not make a certificate: ${new TextDecoder().decode(made.stderr)}`);
  }
  return { cert, key };
}
