import assert from "node:assert/strict";
import { describeSmtpError, MailError, SmtpMailer } from "./mailer.ts";

const SERVER = { host: "127.0.50.1", port: 2599, user: "ops" };

Deno.test("SmtpMailer.send() reports a closed port as a refused connection, in words", async () => {
  const m = new SmtpMailer({
    ...SERVER,
    pass: "x",
    from: "flintnet@example.net",
    to: ["ops@example.net"],
    starttls: true,
    tlsRejectUnauthorized: true,
  });
  try {
    await assert.rejects(m.send({ subject: "s", text: "t", html: "h" }, "flintnet.x.1"), (err) => {
      assert.ok(err instanceof MailError);
      assert.equal(err.reason, "connection");
      assert.equal(err.message, "SMTP server 127.0.50.1:2599 refused the connection (is it running?)");
      return true;
    });
  } finally {
    m.close();
  }
});

Deno.test("SmtpMailer refuses to be built without a recipient", () => {
  assert.throws(
    () => new SmtpMailer({ ...SERVER, from: "a@b", to: [], starttls: true, tlsRejectUnauthorized: true }),
    /at least one recipient/,
  );
});

Deno.test("describeSmtpError() names the cause of each kind of failure nodemailer reports", () => {
  const cases: [unknown, string, RegExp][] = [
    [
      { code: "EAUTH", response: "535 5.7.8 Authentication credentials invalid" },
      "auth",
      /refused the login of user "ops": 535/,
    ],
    [{ code: "ESOCKET", message: "self-signed certificate" }, "tls", /certificate is not trusted/],
    [
      { code: "ETLS", message: "Server does not support STARTTLS" },
      "tls",
      /^TLS with .* failed: Server does not support STARTTLS/,
    ],
    [
      { code: "EENVELOPE", responseCode: 550, command: "RCPT TO", response: "550 no such user\r\nX" },
      "rejected",
      /\(550 after RCPT TO\): 550 no such user X$/,
    ],
    [{ code: "ETIMEDOUT", message: "Greeting never received" }, "timeout", /did not answer in time/],
    [{ code: "EDNS", message: "getaddrinfo ENOTFOUND smtp.nowhere" }, "dns", /does not resolve/],
    [new Error("weird"), "other", /failed: weird$/],
  ];
  for (const [err, reason, words] of cases) {
    const e = describeSmtpError(err, SERVER);
    assert.equal(e.reason, reason, JSON.stringify(err));
    assert.match(e.message, words);
  }
});
