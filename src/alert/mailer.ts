/**
 * E-mail delivery over SMTP with npm:nodemailer. STARTTLS is required when on (a server that does not
 * offer it, or whose certificate fails verification, gets nothing — not even the login); port 465 means
 * implicit TLS. Failures are reported in words a sysadmin can act on, never as a stack.
 */
// nodemailer is imported on the first send (see SmtpMailer): loading it costs the daemon ~6 MB of
// memory, which most installations, sending no mail, should not pay.

/** One message to send. */
export interface MailMessage {
  /** Subject line (one line). */
  subject: string;
  /** Plain text body. */
  text: string;
  /** HTML body. */
  html: string;
  /** Recipients; the mailer's configured list when absent. */
  to?: readonly string[];
}

/** Sends e-mail. */
export interface Mailer {
  /**
   * Sends `msg` with the Message-ID `<messageId@domain-of-from>` (so a resent duplicate is recognisable).
   * Resolves when the server accepted it (SMTP 250); rejects with a {@link MailError} otherwise.
   */
  send(msg: MailMessage, messageId: string): Promise<void>;
  /** Closes connections. */
  close?(): void;
}

/** SMTP settings. */
export interface SmtpOptions {
  /** Server host name or address. */
  host: string;
  /** Server port (587 submission, 25, or 465 for implicit TLS). */
  port: number;
  /** Login user; no login when absent or empty. */
  user?: string;
  /** Login password. */
  pass?: string;
  /** From address. */
  from: string;
  /** Default recipients. */
  to: readonly string[];
  /** Require STARTTLS (on) or speak plain SMTP (off). */
  starttls: boolean;
  /** Verify the server's certificate. */
  tlsRejectUnauthorized: boolean;
  /** Connect, greeting and per-command timeout in ms. @default 10_000 */
  timeoutMs?: number;
}

/** What went wrong, for counters and tests. */
export type MailFailure = "connection" | "timeout" | "dns" | "tls" | "auth" | "rejected" | "other";

/** A failed send, with its cause in words. */
export class MailError extends Error {
  readonly reason: MailFailure;
  constructor(reason: MailFailure, message: string) {
    super(message);
    this.name = "MailError";
    this.reason = reason;
  }
}

interface NodemailerError {
  code?: string;
  message?: string;
  response?: string;
  responseCode?: number;
  command?: string;
}

/** Text from the server: one line, at most 200 characters. */
function fromPeer(s: string | undefined): string {
  // deno-lint-ignore no-control-regex
  const t = (s ?? "").replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  return t.length > 200 ? t.slice(0, 199) + "…" : t;
}

/** Describes a nodemailer failure in words, for the log and the alert counters. */
export function describeSmtpError(err: unknown, o: Pick<SmtpOptions, "host" | "port" | "user">): MailError {
  const e = (err ?? {}) as NodemailerError;
  const msg = fromPeer(e.message ?? String(err));
  const server = `SMTP server ${o.host}:${o.port}`;
  if (/ECONNREFUSED/.test(msg)) {
    return new MailError("connection", `${server} refused the connection (is it running?)`);
  }
  if (/ENOTFOUND|EAI_AGAIN|getaddrinfo|dns error/i.test(msg)) {
    return new MailError("dns", `the SMTP server name ${o.host} does not resolve`);
  }
  if (
    /certificate|self[- ]signed|CERT_|UNABLE_TO_VERIFY|unknown ?issuer|UnknownIssuer|NotValidForName/i.test(
      msg,
    )
  ) {
    return new MailError(
      "tls",
      `TLS with ${server} failed: its certificate is not trusted (${msg}); ` +
        "turn certificate verification off (FLINTNET_SMTP_TLS_REJECT_UNAUTHORIZED=false) only for a server you trust",
    );
  }
  if (e.code === "ETLS") return new MailError("tls", `TLS with ${server} failed: ${msg}`);
  if (e.responseCode === 530 && /STARTTLS/i.test(msg)) {
    return new MailError("tls", `${server} requires STARTTLS, which is turned off (FLINTNET_SMTP_STARTTLS)`);
  }
  if (e.code === "EAUTH") {
    return new MailError(
      "auth",
      `${server} refused the login${o.user ? ` of user ${JSON.stringify(o.user)}` : ""}: ${
        fromPeer(e.response) || msg
      }`,
    );
  }
  if (e.code === "ETIMEDOUT" || /timeout|timed out/i.test(msg)) {
    return new MailError("timeout", `${server} did not answer in time (${msg})`);
  }
  if (e.code === "ECONNECTION" || e.code === "ESOCKET" || /ECONNRESET|EPIPE|closed/i.test(msg)) {
    return new MailError("connection", `the connection to ${server} failed: ${msg}`);
  }
  if (typeof e.responseCode === "number") {
    return new MailError(
      "rejected",
      `${server} rejected the message (${e.responseCode}${e.command ? ` after ${e.command}` : ""}): ` +
        (fromPeer(e.response) || msg),
    );
  }
  return new MailError("other", `sending mail through ${server} failed: ${msg}`);
}

/** The domain for Message-IDs: the From address's, or a reserved name when it has none. */
function idDomain(from: string): string {
  const m = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from);
  return m ? m[1] : "flintnet.invalid";
}

/** {@link Mailer} over SMTP. */
export class SmtpMailer implements Mailer {
  readonly #o: SmtpOptions;
  // nodemailer ships no types; the transport is used through the two calls below.
  // deno-lint-ignore no-explicit-any
  #transport: Promise<any> | undefined;

  constructor(o: SmtpOptions) {
    if (o.to.length === 0) throw new RangeError("SMTP needs at least one recipient");
    this.#o = o;
  }

  /** The nodemailer transport, made (and nodemailer loaded) on first use. */
  // deno-lint-ignore no-explicit-any
  #connect(): Promise<any> {
    const o = this.#o;
    const t = o.timeoutMs ?? 10_000;
    const implicitTls = o.port === 465;
    return this.#transport ??= import("nodemailer").then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        host: o.host,
        port: o.port,
        secure: implicitTls,
        requireTLS: o.starttls && !implicitTls,
        // Off means plain SMTP: no opportunistic STARTTLS that could then fail verification.
        ignoreTLS: !o.starttls && !implicitTls,
        auth: o.user ? { user: o.user, pass: o.pass ?? "" } : undefined,
        tls: { rejectUnauthorized: o.tlsRejectUnauthorized },
        connectionTimeout: t,
        greetingTimeout: t,
        socketTimeout: 3 * t,
        disableFileAccess: true,
        disableUrlAccess: true,
      })
    );
  }

  /** Sends one message; rejects with a {@link MailError}. */
  async send(msg: MailMessage, messageId: string): Promise<void> {
    try {
      await (await this.#connect()).sendMail({
        from: this.#o.from,
        to: [...(msg.to ?? this.#o.to)],
        subject: msg.subject,
        text: msg.text,
        html: msg.html,
        messageId: `<${messageId}@${idDomain(this.#o.from)}>`,
      });
    } catch (err) {
      throw describeSmtpError(err, this.#o);
    }
  }

  /** Closes the transport. */
  close(): void {
    void this.#transport?.then((t) => t.close(), () => undefined);
  }
}
