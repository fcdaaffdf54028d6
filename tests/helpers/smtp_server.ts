/**
 * A real SMTP server for tests: Debian's python3-aiosmtpd, with STARTTLS required (a self-signed
 * certificate made by openssl for the test) and optional AUTH. Every message it accepts is parsed by
 * Python's own `email` package — an independent reader of what nodemailer wrote — and saved as JSON in
 * a fresh directory, which the test reads.
 *
 * @example
 * const smtp = await startSmtpServer({ address: "127.0.50.1", port: 2525 });
 * try { … await smtp.messages() … } finally { await smtp.stop(); }
 */
import { watchChild } from "./child_process.ts";

/** Options of {@link startSmtpServer}. */
export interface SmtpServerOptions {
  /** Listen address (127.x.y.z). */
  address: string;
  /** TCP port. */
  port: number;
  /** Require this login (after STARTTLS). */
  auth?: { user: string; pass: string };
  /** Reuse the certificate of an earlier server (a "restarted" server keeps its certificate). */
  certDir?: string;
}

/** A message as Python's email package read it. */
export interface ReceivedMail {
  /** SMTP envelope sender. */
  mail_from: string;
  /** SMTP envelope recipients. */
  rcpt_tos: string[];
  /** Whether the session had switched to TLS. */
  tls: boolean;
  /** Headers, names lower-cased (the last one wins). */
  headers: Record<string, string>;
  /** The text/plain part, decoded. */
  text: string;
  /** The text/html part, decoded. */
  html: string;
}

/** A running server. */
export interface SmtpServer {
  /** Where the certificate and key are (pass as certDir to restart with the same certificate). */
  readonly certDir: string;
  /** The messages accepted so far, in arrival order. */
  messages(): Promise<ReceivedMail[]>;
  /** Everything the server printed (print it when a test fails). */
  output(): string;
  /** Stops the server. Idempotent. */
  stop(): Promise<void>;
}

const SERVER_PY = String.raw`
import asyncio, json, os, signal, ssl, sys, threading
from email import policy
from email.parser import BytesParser
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

address, port, outdir, certdir, user, password = sys.argv[1:7]

class Saver:
    def __init__(self):
        self.n = 0
        self.lock = threading.Lock()
    async def handle_DATA(self, server, session, envelope):
        msg = BytesParser(policy=policy.default).parsebytes(envelope.original_content or envelope.content)
        def part(kind):
            p = msg.get_body(preferencelist=(kind,))
            return p.get_content() if p is not None else ""
        doc = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "tls": session.ssl is not None,
            "headers": {k.lower(): str(v) for k, v in msg.items()},
            "text": part("plain"),
            "html": part("html"),
        }
        with self.lock:
            self.n += 1
            name = "%04d.json" % self.n
        tmp = os.path.join(outdir, "." + name)
        with open(tmp, "w") as f:
            json.dump(doc, f)
        os.rename(tmp, os.path.join(outdir, name))
        print("saved", name, flush=True)
        return "250 Message accepted for delivery"

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login.decode() == user and auth_data.password.decode() == password
    return AuthResult(success=ok, handled=False)

ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(os.path.join(certdir, "cert.pem"), os.path.join(certdir, "key.pem"))
kwargs = dict(tls_context=ctx, require_starttls=True)
if user:
    kwargs.update(auth_required=True, auth_require_tls=True, authenticator=authenticator)
controller = Controller(Saver(), hostname=address, port=int(port), ready_timeout=10, **kwargs)
controller.start()
print("READY", flush=True)
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *a: stop.set())
stop.wait()
controller.stop()
`;

/** Why the server cannot run here, or null when it can. */
export async function smtpServerUnavailable(): Promise<string | null> {
  const out = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", "import aiosmtpd.controller"],
    stdout: "null",
    stderr: "null",
  }).output().catch(() => undefined);
  if (!out?.success) return "python3-aiosmtpd is missing: apt-get install python3-aiosmtpd";
  try {
    await Deno.stat("/usr/bin/openssl");
  } catch {
    return "openssl is missing: apt-get install openssl";
  }
  return null;
}

/** Makes a self-signed certificate for `address` in a new directory. */
export async function makeSelfSignedCert(address: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-smtp-cert-" });
  const out = await new Deno.Command("/usr/bin/openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-keyout",
      `${dir}/key.pem`,
      "-out",
      `${dir}/cert.pem`,
      "-subj",
      "/CN=flintnet-test-smtp",
      "-addext",
      `subjectAltName=IP:${address}`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`openssl failed: ${new TextDecoder().decode(out.stderr)}`);
  return dir;
}

async function listening(address: string, port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: address, port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

/** Starts the server and waits until it answers (or fails with its output). */
export async function startSmtpServer(o: SmtpServerOptions): Promise<SmtpServer> {
  const certDir = o.certDir ?? await makeSelfSignedCert(o.address);
  const dir = await Deno.makeTempDir({ prefix: "flintnet-smtp-" });
  const outDir = `${dir}/mail`;
  await Deno.mkdir(outDir);
  await Deno.writeTextFile(`${dir}/server.py`, SERVER_PY);
  const child = new Deno.Command("/usr/bin/python3", {
    args: [
      `${dir}/server.py`,
      o.address,
      String(o.port),
      outDir,
      certDir,
      o.auth?.user ?? "",
      o.auth?.pass ?? "",
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const watched = watchChild(child);

  const server: SmtpServer = {
    certDir,
    async messages() {
      const names: string[] = [];
      for await (const e of Deno.readDir(outDir)) {
        if (e.name.endsWith(".json") && !e.name.startsWith(".")) names.push(e.name);
      }
      names.sort();
      return await Promise.all(names.map(async (n) => JSON.parse(await Deno.readTextFile(`${outDir}/${n}`))));
    },
    output: () => watched.output(),
    async stop() {
      await watched.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      if (!o.certDir) await Deno.remove(certDir, { recursive: true }).catch(() => {});
    },
  };

  const deadline = Date.now() + 15_000;
  while (!(watched.output().includes("READY") && await listening(o.address, o.port))) {
    if (watched.exited || Date.now() > deadline) {
      await server.stop();
      throw new Error(`the SMTP server did not start on ${o.address}:${o.port}:\n${watched.output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return server;
}
